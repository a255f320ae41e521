"""Values at the edge of their range: call deadlines (today to 20 years ahead, year 1 and
9999 field errors in every time zone), and money in ASCII digits only (forms and API)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Call, Pledge
from services.core.context import RequestContext
from services.core.errors import InvalidInput
from services.core.money import MoneyError, parse_money
from services.topics import calls
from tests.support import login, post_form

ZONES = ("UTC", "Europe/Brussels", "Pacific/Kiritimati", "Etc/GMT+12", "America/Adak")
NEXT_YEAR = date.today().year + 1


def _input(programme_id: int, zone: str, stage1: datetime | None, stage2=None):
    return calls.CallInput(
        programme_id=programme_id,
        identifier="EDGE-1",
        title="Edge call",
        call_type="two_stage",
        timezone=zone,
        stage1_local=stage1,
        stage2_local=stage2,
    )


BAD_DEADLINES = [
    (datetime(1, 1, 1, 0, 0), None, "stage1_local"),
    (datetime(9999, 12, 31, 23, 59), None, "stage1_local"),
    (datetime(NEXT_YEAR, 4, 25, 17, 0), datetime(9999, 12, 31, 23, 59), "stage2_local"),
    (datetime(NEXT_YEAR, 4, 25, 17, 0), datetime(1, 1, 1), "stage2_local"),
    (datetime(2001, 1, 1, 12, 0), None, "stage1_local"),  # in the past
    (datetime(NEXT_YEAR + 20, 12, 31, 12, 0), None, "stage1_local"),  # beyond 20 years
]


def test_deadlines_out_of_range_are_field_errors_in_every_zone(db, world, make_user):
    ctx = RequestContext(make_user("coordinator"))
    for zone in ZONES:
        for stage1, stage2, field in BAD_DEADLINES:
            data = _input(world["programme"].id, zone, stage1, stage2)
            with pytest.raises(InvalidInput) as exc:
                calls.save_call(db, ctx, data)
            assert field in exc.value.field_errors, (zone, stage1, stage2)


def test_deadlines_in_range_are_kept_and_a_passed_one_survives_an_edit(db, world, make_user):
    coordinator = make_user("coordinator")
    soon = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=1)
    late = datetime(date.today().year + 19, 6, 1, 12, 0)
    call = calls.save_call(
        db, RequestContext(coordinator), _input(world["programme"].id, "UTC", soon, late)
    )
    db.commit()
    # The stage 1 deadline passes; editing the title keeps it as it is.
    call.stage1_deadline = datetime(2020, 1, 1, tzinfo=UTC)
    db.commit()
    edit = _input(world["programme"].id, "UTC", datetime(2020, 1, 1), late)
    edit.title = "Renamed"
    calls.save_call(db, RequestContext(coordinator), edit, call)
    db.commit()
    assert call.title == "Renamed"


def test_the_call_form_answers_422_for_extreme_years(app, db, world, make_user):
    coordinator = make_user("coordinator")
    client = app.test_client()
    login(client, coordinator.email, "correct horse battery")
    for zone in ("Europe/Brussels", "America/Adak", "UTC"):
        for value in ("0001-01-01T00:00", "9999-12-31T23:59"):
            response = post_form(
                client,
                "/calls/new",
                {
                    "programme_id": world["programme"].id,
                    "identifier": "EDGE-1",
                    "title": "Edge call",
                    "call_type": "two_stage",
                    "timezone": zone,
                    "stage1_local": value,
                },
            )
            assert response.status_code == 422, (zone, value)
            body = response.get_data(as_text=True)
            assert "must be in the future" in body or "within 20 years" in body
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Call)) == 0


@pytest.mark.parametrize(
    "text",
    [
        "\u0661\u0662\u0663",
        "\uff11\uff12\uff13",
        "12\uff13.00",
        "1,\uff1234",
        "\u06f1\u06f2\u06f3.\u06f4\u06f5",
        "\u0967\u0968\u0969",
        "1\u00a0000",
    ],
)
def test_money_is_ascii_digits_only(text):
    with pytest.raises(MoneyError):
        parse_money(text)


def test_money_in_ascii_still_parses():
    assert str(parse_money("1,234.50")) == "1234.50"
    assert str(parse_money("EUR 1234")) == "1234.00"


def test_the_api_refuses_other_digits_for_money(app, db):
    from models import User
    from services.accounts import api_tokens
    from tests.security.authz_world import build

    w = build(db)
    rep_x = db.scalar(select(User).where(User.email == w["emails"]["rep_x"]))
    _token, raw = api_tokens.create_token(db, RequestContext(rep_x), name="t", scope="write")
    db.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    before = db.scalar(select(func.count()).select_from(Pledge))
    for amount in (
        "\u0661\u0662\u0663\u0664.\u0660\u0660",
        "\uff11\uff12\uff13\uff14",
        "12\uff134.00",
    ):
        response = client.post(
            "/api/v1/pledges",
            json={
                "topic_id": w["published"],
                "organisation_id": w["org_x"],
                "kind": "fc",
                "amount": amount,
            },
            headers=headers,
        )
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "amount" in response.get_json()["errors"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Pledge)) == before

"""Pledge and funding pages through the test client, CSRF on."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Organisation, PartnerApplication, Pledge
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge, form, make_partner, make_topic
from tests.support import csrf_from, login, post_form


def _fresh(db) -> None:
    """End the test session's read snapshot and forget what it loaded."""
    db.rollback()
    db.expire_all()


def _count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def rep_client(client, db, world, make_user):
    rep = make_user(org_id=world["pharma"].id)
    login(client, rep.email, PASSWORD)
    return client


def _new_pledge(client, topic, org, **overrides):
    data = form(**overrides)
    data.update(topic_id=topic.id, organisation_id=org.id)
    return post_form(client, "/pledges/new", data)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("twelve", "Enter an amount in euros such as"),
        ("-1250000.50", "cannot be negative"),
        ("1250000.505", "at most two decimals"),
        ("99999999999999999", "larger than EUR 999,999,999,999.99"),
        ("", "Enter an amount in euros."),
    ],
)
def test_malformed_amount_gets_a_field_error_and_writes_nothing(
    rep_client, db, world, amount, message
):
    topic = make_topic(db, world, status="published")
    response = _new_pledge(rep_client, topic, world["pharma"], amount=amount)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="amount-err">([^<]*)</p>', html)
    assert error and message in error.group(1), html[-3000:]
    assert _count(db, Pledge) == 0
    assert _count(db, AuditEntry, AuditEntry.object_type == "pledges") == 0


def test_malformed_breakdown_part_is_named(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    response = _new_pledge(rep_client, topic, world["pharma"], consumables="12,50")
    assert response.status_code == 422
    assert 'id="consumables-err"' in response.get_data(as_text=True)
    assert _count(db, Pledge) == 0


def test_valid_pledge_is_saved_and_shown_with_separators(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    response = _new_pledge(rep_client, topic, world["pharma"])
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    pledge = db.scalars(select(Pledge)).one()
    assert pledge.amount == Decimal("1250000.50")
    page = rep_client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "EUR 1,250,000.50" in page
    mine = rep_client.get("/pledges/").get_data(as_text=True)
    assert f"/topics/{topic.id}" in mine


def test_post_without_csrf_token_is_refused(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    data = form(topic_id=topic.id, organisation_id=world["pharma"].id)
    response = rep_client.post("/pledges/new", data=data)
    assert response.status_code == 400
    assert _count(db, Pledge) == 0


def test_rep_cannot_pledge_for_another_organisation(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    response = _new_pledge(rep_client, topic, world["pharma2"])
    assert response.status_code == 422
    assert _count(db, Pledge) == 0


def test_coordinator_cannot_pledge(client, db, world, make_user):
    coord = make_user(role="coordinator")
    login(client, coord.email, PASSWORD)
    assert client.get("/pledges/new").status_code == 403


def test_rep_cannot_confirm_and_coordinator_can(client, db, world, make_user):
    topic = make_topic(db, world, eu="10.00")
    rep = make_user(org_id=world["pharma"].id)
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, world["pharma"], "100.00")
    login(client, rep.email, PASSWORD)
    page = f"/pledges/{pledge.id}"
    response = post_form(client, f"/pledges/{pledge.id}/confirm", {}, page=page)
    assert response.status_code == 403
    _fresh(db)
    assert db.get(Pledge, pledge.id).status == "submitted"
    post_form(client, "/auth/logout", {}, page="/pledges/")
    login(client, coord.email, PASSWORD)
    response = post_form(client, f"/pledges/{pledge.id}/confirm", {}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    _fresh(db)
    assert db.get(Pledge, pledge.id).status == "confirmed"
    assert "EU match EUR 100.00" in client.get(page).get_data(as_text=True)


def test_envelope_refusal_is_409_with_the_page_and_the_reason(client, db, world, make_user):
    world["programme"].partner_envelope = Decimal("10.00")
    db.commit()
    topic = make_topic(db, world, status="published")
    partner = make_partner(db, world["programme"])
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, partner, "10.01")
    login(client, coord.email, PASSWORD)
    page = f"/pledges/{pledge.id}"
    response = post_form(client, f"{page}/confirm", {}, page=page)
    assert response.status_code == 409  # not a redirect: nothing happened
    assert "only EUR 10.00 remains" in response.get_data(as_text=True)
    _fresh(db)
    assert db.get(Pledge, pledge.id).status == "submitted"


def test_other_organisations_pledge_is_hidden_from_a_rep(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    other = add_pledge(db, topic, world["pharma2"], "5.00")
    assert rep_client.get(f"/pledges/{other.id}").status_code == 404
    assert (
        rep_client.get(f"/pledges/funding/organisations/{world['pharma2'].id}").status_code == 403
    )
    assert rep_client.get("/pledges/funding").status_code == 403


def test_funding_pages_charts_exports_and_json(client, db, world, make_user):
    topic = make_topic(db, world, status="published")
    add_pledge(db, topic, world["pharma"], "1234.56", kind="ikop", status="confirmed",
               eu_match=Decimal("1234.56"))  # fmt: skip
    coord = make_user(role="coordinator")
    login(client, coord.email, PASSWORD)
    prog = world["programme"].id
    assert "Funding" in client.get("/pledges/funding").get_data(as_text=True)
    html = client.get(f"/pledges/funding/programmes/{prog}").get_data(as_text=True)
    assert "<svg" in html and "<title" in html and "<desc" in html
    # The per-area bar charts carry a bar and the exact amount for the area.
    assert re.search(r'<rect class="chart-c0" x="220" y="0.0" width="[1-9]', html)
    assert "Infectious diseases EUR 1,234.56" in html
    assert "Distribution of funding per scientific area" in html
    assert "EUR 1,234.56" in html
    assert " style=" not in html and "<script>" not in html
    topic_html = client.get(f"/pledges/funding/topics/{topic.id}").get_data(as_text=True)
    assert "Gap to the indicative industry contribution" in topic_html and "<svg" in topic_html
    data = client.get(f"/pledges/funding/topics/{topic.id}.json").get_json()
    assert data["confirmed"] == "1234.56" and data["pledged_by_kind"]["ikop"] == "1234.56"
    csv_ = client.get(f"/pledges/funding/programmes/{prog}/pledges.csv")
    assert csv_.mimetype == "text/csv" and "1234.56" in csv_.get_data(as_text=True)
    xlsx = client.get(f"/pledges/funding/programmes/{prog}/areas.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_application_journey_through_the_pages(client, db, world, make_user):
    org = Organisation(legal_name="Kind Foundation", country="BE", sector="other")
    db.add(org)
    db.commit()
    rep = make_user(org_id=org.id)
    coord = make_user(role="coordinator")
    login(client, rep.email, PASSWORD)
    response = post_form(
        client,
        "/pledges/applications",
        {"organisation_id": org.id, "programme_id": world["programme"].id,
         "partner_type": "associated", "motivation": "Rare diseases"},
    )  # fmt: skip
    assert response.status_code == 302
    application = db.scalars(select(PartnerApplication)).one()
    post_form(client, "/auth/logout", {}, page="/pledges/applications")
    login(client, coord.email, PASSWORD)
    html = client.get("/pledges/applications").get_data(as_text=True)
    response = client.post(
        f"/pledges/applications/{application.id}/decide",
        data={"decision": "approve", "note": "", "csrf_token": csrf_from(html)},
    )
    assert response.status_code == 302
    _fresh(db)
    assert db.get(Organisation, org.id).partner_type == "associated"


def test_rep_edits_submits_and_withdraws_through_the_pages(rep_client, db, world):
    topic = make_topic(db, world, status="published")
    assert _new_pledge(rep_client, topic, world["pharma"]).status_code == 302
    pledge = db.scalars(select(Pledge)).one()
    page = f"/pledges/{pledge.id}"
    edit = rep_client.get(f"{page}/edit").get_data(as_text=True)
    assert 'value="1250000.50"' in edit
    response = post_form(rep_client, f"{page}/edit", form(amount="1,250,000.51"))
    assert response.status_code == 422 and "must be equal to the cent" in response.get_data(
        as_text=True
    )
    assert post_form(rep_client, f"{page}/submit", {}, page=page).status_code == 302
    _fresh(db)
    assert db.get(Pledge, pledge.id).status == "submitted"
    assert rep_client.get(f"{page}/edit").status_code == 409  # only drafts are edited
    response = post_form(rep_client, f"{page}/edit", form(), page=page)
    assert response.status_code == 409
    assert post_form(rep_client, f"{page}/withdraw", {"reason": ""}, page=page).status_code == 302
    _fresh(db)
    assert db.get(Pledge, pledge.id).status == "withdrawn"


def test_unpublished_topics_are_offered_only_to_their_industry_consortium(rep_client, db, world):
    from models import TopicIndustryPartner

    hidden = make_topic(db, world, title="Confidential draft")
    mine = make_topic(db, world, title="Our draft")
    db.add(TopicIndustryPartner(topic_id=mine.id, organisation_id=world["pharma"].id))
    db.commit()
    html = rep_client.get("/pledges/new").get_data(as_text=True)
    assert "Our draft" in html and "Confidential draft" not in html
    assert _new_pledge(rep_client, hidden, world["pharma"]).status_code == 422
    assert _new_pledge(rep_client, mine, world["pharma"]).status_code == 302

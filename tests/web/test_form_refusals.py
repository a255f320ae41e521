"""Every HTML form answers a refused submission alike (webapp.refusals): the form again with
the reason, the status of the refusal (422 for input, 409 for a conflict of state) and no
row written or changed anywhere; the same form filled in well redirects (302).

Each case is driven through the real app (CSRF on) against the test database; the whole
database is compared before and after the refused POST.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from services.accounts import api_tokens
from services.core.context import RequestContext
from services.programmes import settings as rules
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge, make_topic
from tests.pledge_helpers import form as pledge_form
from tests.support import login, post_form


@dataclass
class Case:
    role: str  # of the signed-in user ("" for nobody)
    url: str
    data: dict[str, Any]
    status: int
    shown: list[str]  # in the page answered: the reason and the form itself
    page: str | None = None  # where the form is (default: url)
    member_of: str | None = None  # the world's organisation the user represents
    extra: dict[str, Any] = field(default_factory=dict)


Setup = Callable[[Session, dict[str, Any], models.User], Case]


def _invite_taken(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {"name": "Again", "email": user.email, "role": "viewer"}
    return Case("admin", "/admin/users", data, 409, ["Already taken", 'name="email"'])


def _invite_invalid(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {"name": "", "email": "not-an-address", "role": "viewer"}
    return Case("admin", "/admin/users", data, 422, ["Invalid email address", "Send invitation"])


def _token_no_name(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {"name": "", "scope": "read"}
    return Case("viewer", "/account/tokens", data, 422, ["This field is required", "Create token"])


def _token_too_many(db: Session, world: dict[str, Any], user: models.User) -> Case:
    for n in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create_token(db, RequestContext(user), name=f"t{n}", scope="read")
    db.commit()
    data = {"name": "one more", "scope": "read"}
    return Case("viewer", "/account/tokens", data, 422, ["active tokens; revoke one", "one more"])


ORG_FIELDS = {"sector": "academia", "partner_type": "", "pic": ""}


def _org_edit_country(db: Session, world: dict[str, Any], user: models.User) -> Case:
    uni = world["uni"]
    data = {"legal_name": "Renamed University", "country": "ZZ", **ORG_FIELDS}
    shown = ["Choose a country", 'value="Renamed University"']
    return Case("admin", f"/organisations/{uni.id}/edit", data, 422, shown)


def _org_edit_pic_taken(db: Session, world: dict[str, Any], user: models.User) -> Case:
    uni = world["uni"]
    data = {"legal_name": "University of Testing", "country": "DE", **ORG_FIELDS}
    data["pic"] = world["pharma"].pic
    shown = ["Another organisation already has this PIC", "Legal name"]
    return Case("admin", f"/organisations/{uni.id}/edit", data, 422, shown)


def _pledge_amount(db: Session, world: dict[str, Any], user: models.User) -> Case:
    topic = make_topic(db, world, status="published")
    data = pledge_form(topic_id=topic.id, organisation_id=world["pharma"].id, amount="twelve")
    shown = ["Enter an amount in euros", 'name="amount"']
    return Case("viewer", "/pledges/new", data, 422, shown, member_of="pharma")


def _pledge_edit_ikaa(db: Session, world: dict[str, Any], user: models.User) -> Case:
    topic = make_topic(db, world)
    pledge = add_pledge(db, topic, world["pharma"], "100.00", status="draft")
    data = pledge_form(amount="1,250,000.50", note="Changed note")
    data.update(topic_id=topic.id, organisation_id=world["pharma"].id, start_year="2031")
    data["end_year"] = "2027"  # before the start
    url = f"/pledges/{pledge.id}/edit"
    return Case("viewer", url, data, 422, ["Changed note"], member_of="pharma")


def _call_past(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {
        "programme_id": world["programme"].id,
        "identifier": "IHI-PAST-1",
        "title": "Past call",
        "call_type": "two_stage",
        "timezone": "Europe/Brussels",
        "stage1_local": "2020-04-25T17:00",
        "stage2_local": "2020-05-25T17:00",
    }
    return Case("coordinator", "/calls/new", data, 422, ["in the future", "IHI-PAST-1"])


def _programme_rules(db: Session, world: dict[str, Any], user: models.User) -> Case:
    programme = world["programme"]
    data = vars(rules.RulesInput.of(programme)) | {"threshold_total": "16"}
    url = f"/admin/programmes/{programme.id}/settings"
    return Case("admin", url, data, 422, ["Scores go from 0 to 15", 'value="16"'])


def _password_current_wrong(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {"current_password": "wrong one", "password": "a new long passphrase"}
    data["confirm"] = data["password"]
    return Case("viewer", "/auth/password", data, 422, ["Current password"])


def _login_empty(db: Session, world: dict[str, Any], user: models.User) -> Case:
    return Case("", "/auth/login", {"email": user.email, "password": ""}, 422, ["Sign in"])


def _contact_invalid(db: Session, world: dict[str, Any], user: models.User) -> Case:
    org = world["uni"]
    data = {"name": "Dr Who", "email": "no address", "function": ""}
    url = f"/organisations/{org.id}/contacts/new"
    return Case("admin", url, data, 422, ["Invalid email address", 'value="Dr Who"'])


def _lineage_invalid(db: Session, world: dict[str, Any], user: models.User) -> Case:
    programme = world["programme"]
    data = {f"p{programme.id}-lineage": "x" * 4001}
    url = f"/organisations/programmes/{programme.id}/lineage"
    return Case("admin", url, data, 422, ["4000"], page="/organisations/lineages")


def _notification_mode(db: Session, world: dict[str, Any], user: models.User) -> Case:
    data = {"mode-topic.comment": "weekly"}
    return Case("viewer", "/inbox/settings", data, 422, ["Choose one of", "Daily digest"])


def _application_twice(db: Session, world: dict[str, Any], user: models.User) -> Case:
    uni, programme = world["uni"], world["programme"]
    db.add(models.PartnerApplication(organisation_id=uni.id, programme_id=programme.id,
                                     partner_type="associated", status="pending"))  # fmt: skip
    db.commit()
    data = {
        "organisation_id": uni.id,
        "programme_id": world["programme"].id,
        "partner_type": "associated",
        "motivation": "We would like to help.",
    }
    url = "/pledges/applications"
    shown = ["already has an application that is pending", "Apply as"]
    return Case("viewer", url, data, 409, shown, member_of="uni")


def _topic_stale(db: Session, world: dict[str, Any], user: models.User) -> Case:
    topic = make_topic(db, world, title="Stale topic")
    data = {"title": "My newer title", "version": str(topic.version - 1 or 99)}
    data.update(objectives="Some objectives", note="")
    url = f"/topics/{topic.id}/edit"
    return Case("coordinator", url, data, 409, ["Someone else saved this topic", "My newer title"])


def _interest_note(db: Session, world: dict[str, Any], user: models.User) -> Case:
    topic = make_topic(db, world, status="published", title="Interest topic")
    data = {"organisation_id": world["pharma"].id, "note": "x" * 1001}
    url = f"/topics/{topic.id}/interest"
    page = f"/topics/{topic.id}"
    shown = ["longer than 1000", "Interest topic"]
    return Case("viewer", url, data, 422, shown, page, member_of="pharma")


CASES: dict[str, Setup] = {
    "admin invite, address taken": _invite_taken,
    "admin invite, invalid fields": _invite_invalid,
    "API token, no name": _token_no_name,
    "API token, too many": _token_too_many,
    "organisation edit, bad country": _org_edit_country,
    "organisation edit, PIC taken": _org_edit_pic_taken,
    "pledge, malformed amount": _pledge_amount,
    "pledge edit, years reversed": _pledge_edit_ikaa,
    "call, past deadline": _call_past,
    "programme settings, out of range": _programme_rules,
    "password change, wrong current": _password_current_wrong,
    "sign-in, empty password": _login_empty,
    "contact, invalid email": _contact_invalid,
    "lineage, too long": _lineage_invalid,
    "notification settings, unknown mode": _notification_mode,
    "partner application, one pending": _application_twice,
    "topic edit, stale version": _topic_stale,
    "interest, note too long": _interest_note,
}


def _snapshot(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as plain tuples in primary-key order."""
    db.rollback()
    snapshot = {}
    for table in models.Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.execute(select(table).order_by(*order)).all()
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


@pytest.mark.parametrize("name", list(CASES))
def test_a_refused_form_answers_its_status_with_the_form_and_writes_nothing(
    name, app, db, world, make_user
):
    user = make_user("viewer")
    case = CASES[name](db, world, user)
    client = app.test_client()
    if case.role:
        actor = user if case.role == "viewer" else make_user(case.role)
        if case.member_of:
            from services.accounts import memberships

            org = world[case.member_of]
            memberships.add_to_organisation(db, RequestContext(None), actor, org.id, "partner_rep")
            db.commit()
        login(client, actor.email, PASSWORD)
    client.get(case.page or case.url)  # any bookkeeping of a first visit happens here
    before = _snapshot(db)
    response = post_form(client, case.url, case.data, page=case.page)
    body = response.get_data(as_text=True)
    assert response.status_code == case.status, body[:3000]
    for text in case.shown:
        assert text in body, f"{text!r} not on the page answered"
    assert "Back to the start page" not in body  # the form, not the error page
    assert _snapshot(db) == before


def test_a_form_filled_in_well_still_redirects(app, db, world, make_user):
    """Post/redirect/get is kept for success: the same organisation form, a valid country."""
    client = app.test_client()
    login(client, make_user("admin").email, PASSWORD)
    uni = world["uni"]
    data = {"legal_name": "University of Testing", "country": "DE", **ORG_FIELDS}
    response = post_form(client, f"/organisations/{uni.id}/edit", {**data, "city": "Bonn"})
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(select(models.Organisation.city).where(models.Organisation.id == uni.id)) == (
        "Bonn"
    )


def test_a_failed_sign_in_is_recorded_and_answers_200(app, db, make_user):
    """The one form whose failure writes: a wrong password is audited (and counted by the
    lockout), so its page answers 200 and the request's commit keeps the record."""
    client = app.test_client()
    user = make_user("viewer")
    response = post_form(client, "/auth/login", {"email": user.email, "password": "nope"})
    assert response.status_code == 200 and "Wrong email or password" in response.get_data(
        as_text=True
    )
    db.rollback()
    actions = db.scalars(select(models.AuditEntry.action)).all()
    assert "login.failed" in actions

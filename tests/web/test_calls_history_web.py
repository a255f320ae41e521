"""Calls and history through the web and the API: deadline field errors (422 with the page),
adding a topic on the call page, history pages in sentences with their actor, warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from models import Call, PartnerApplication, Topic
from services.accounts import api_tokens
from services.core.context import RequestContext
from services.pledges import decisions
from services.pledges import partners as partner_service
from services.topics import calls
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge
from tests.support import login, post_form
from tests.topic_support import make_call, make_topic

RAW_KEYS = ("pledge.", "partner_application.", "topic.", "from_envelope", "eu_match", "False")


def _client(app, user):
    client = app.test_client()
    login(client, user.email, PASSWORD)
    return client


def _token(db, user) -> dict[str, str]:
    _token, raw = api_tokens.create_token(db, RequestContext(user), name="t", scope="write")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def _fresh(db) -> None:
    db.rollback()
    db.expire_all()


def _calls(db) -> int:
    _fresh(db)
    return db.scalar(select(func.count()).select_from(Call))


def test_call_form_and_api_refuse_past_and_unordered_deadlines(app, db, world, make_user):
    coordinator = make_user("coordinator")
    client = _client(app, coordinator)
    form = {
        "programme_id": world["programme"].id,
        "identifier": "IHI-PAST-1",
        "title": "Past call",
        "call_type": "two_stage",
        "timezone": "Europe/Brussels",
        "stage1_local": "2020-04-25T17:00",
        "stage2_local": "2020-03-01T17:00",
    }
    page = post_form(client, "/calls/new", form)
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "A deadline must be in the future" in body and "must come after the stage 1" in body
    assert _calls(db) == 0
    # Edit: a call saved with good deadlines, then stage 2 moved before stage 1.
    call = make_call(db, world)
    s1 = calls.to_local(call.stage1_deadline, call.timezone).strftime("%Y-%m-%dT%H:%M")
    edit = {**form, "identifier": call.identifier, "stage1_local": s1}
    edit["stage2_local"] = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = post_form(client, f"/calls/{call.id}/edit", edit)
    assert page.status_code == 422 and "must come after the stage 1" in page.get_data(as_text=True)
    # The API says the same with field errors, and creates a good call.
    auth = _token(db, coordinator)
    json = {"programme_id": world["programme"].id, "identifier": "IHI-API-1", "title": "API"}
    r = client.post("/api/v1/calls", json={**json, "stage1_deadline": "2021-01-01T12:00:00"},
                    headers=auth)  # fmt: skip
    assert r.status_code == 422 and "stage1_deadline" in r.get_json()["errors"]
    ahead = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    r = client.post("/api/v1/calls", json={**json, "stage1_deadline": ahead}, headers=auth)
    assert r.status_code == 201, r.get_json()
    r = client.patch(
        f"/api/v1/calls/{r.get_json()['id']}",
        json={"stage2_deadline": "2022-01-01T00:00:00+01:00"},
        headers=auth,
    )
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"stage2_deadline"}
    r = client.post("/api/v1/calls", json=json, headers=_token(db, make_user()))
    assert r.status_code == 403


def test_call_page_lists_visible_topics_and_adds_an_approved_one(app, db, world, make_user):
    coordinator = make_user("coordinator")
    call = make_call(db, world)
    make_topic(db, world, "published", title="Live kiwi", call=call)
    hidden = make_topic(db, world, "drafting", title="Hidden kiwi", call=call)
    ready = make_topic(db, world, "approved", title="Ready kiwi")
    applicant = _client(app, make_user(org_id=world["uni"].id, org_role="applicant"))
    seen = applicant.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Live kiwi" in seen and "Hidden kiwi" not in seen and "Add to the call" not in seen
    office = _client(app, coordinator)
    page = office.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Hidden kiwi" in page and "Ready kiwi" in page  # listed, and offered in the menu
    added = post_form(office, f"/calls/{call.id}/topics", {"topic_id": ready.id})
    assert added.status_code == 302
    _fresh(db)
    assert db.get(Topic, ready.id).call_id == call.id
    # The call is published (Live kiwi): removing is refused with the page, nothing changes.
    refused = post_form(office, f"/calls/{call.id}/topics/{hidden.id}/remove", {},
                        page=f"/calls/{call.id}")  # fmt: skip
    assert refused.status_code == 409 and "is published" in refused.get_data(as_text=True)
    topic_page = office.get(f"/topics/{ready.id}").get_data(as_text=True)
    assert f"You added the topic to call {call.identifier}" in topic_page
    rep = _client(app, make_user(org_id=world["pharma"].id))  # the topic's industry partner
    assert f"{coordinator.name} added the topic to call" in rep.get(f"/topics/{ready.id}").text


def test_history_pages_read_as_sentences_with_their_actor(app, db, world, make_user):
    coordinator = make_user("coordinator")
    rep = make_user(org_id=world["pharma"].id)
    topic = make_topic(db, world, "drafting", title="Kiwi pledges")
    pledge = add_pledge(db, topic, world["pharma"], "8000000")
    decisions.confirm_pledge(db, RequestContext(coordinator), pledge.id)
    db.commit()
    page = _client(app, rep).get(f"/pledges/{pledge.id}").get_data(as_text=True)
    history = page[page.index('id="history-h"') :]
    assert f"{coordinator.name} confirmed the pledge" in history
    assert "Status: submitted → confirmed" in history and "(Europe/Brussels)" in history
    assert not [k for k in RAW_KEYS if k in history], history
    # A partner application, applied for by its representative, decided by the office.
    foundation = world["uni"]
    application = partner_service.apply(
        db,
        RequestContext(make_user("admin")),
        organisation_id=foundation.id,
        programme_id=world["programme"].id,
        partner_type="contributing",
    )
    partner_service.decide(
        db, RequestContext(coordinator), application.id, approve=False, note="Out of scope."
    )
    db.commit()
    assert db.get(PartnerApplication, application.id).status == "rejected"
    listing = _client(app, coordinator).get("/pledges/applications").get_data(as_text=True)
    assert f"applied for {foundation.display_name}" in listing
    assert f"{coordinator.name} rejected the application" not in listing  # the viewer: You
    assert "You rejected the application" in listing and "Note: Out of scope." in listing
    assert "partner_application." not in listing


def test_topic_form_warns_on_a_duplicate_title_and_keeps_the_note(app, db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    make_topic(db, world, "idea", title="Kiwi  Vaccines")
    client = _client(app, member)
    data = {"sgg_id": world["sgg_a"].id, "title": "kiwi vaccines", "note": "Idea from JDRF"}
    saved = post_form(client, "/topics/new", data)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Another topic of this programme has the same title" in page
    assert "proposed the topic" in page
    _fresh(db)
    topic = db.scalars(select(Topic).where(Topic.title == "kiwi vaccines")).one()
    revisions = client.get(f"/topics/{topic.id}/revisions").get_data(as_text=True)
    assert "Idea from JDRF" in revisions
    assert "same title" in client.get(f"/topics/{topic.id}/edit").get_data(as_text=True)

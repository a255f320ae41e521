"""A refused web action answers with the page it came from, the reason and a status that
says nothing happened (409 for the object's state, 422 for input), never a redirect with
a flash that a script would take for success (webapp.helpers.refused)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from models import AuditEntry, Pledge, Topic
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge, make_partner, make_topic
from tests.support import login, post_form


def _audits(db, action: str) -> int:
    db.rollback()
    return db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def _coordinator(app, make_user):
    client = app.test_client()
    login(client, make_user("coordinator").email, PASSWORD)
    return client


def test_a_confirmation_over_the_envelope_is_409_with_the_pledge_page(app, db, world, make_user):
    world["programme"].partner_envelope = Decimal("1000.00")
    db.commit()
    topic = make_topic(db, world, title="Envelope topic")
    pledge = add_pledge(db, topic, make_partner(db, world["programme"]), "5000.00")
    client = _coordinator(app, make_user)
    page = f"/pledges/{pledge.id}"
    response = post_form(client, f"{page}/confirm", {}, page=page)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Not confirmed" in body and "envelope" in body  # the reason
    assert "Envelope topic" in body and "EUR 5,000.00" in body  # the pledge page itself
    assert _audits(db, "pledge.confirmed") == 0
    assert db.get(Pledge, pledge.id).status == "submitted"
    # The reason was shown once: the next page does not repeat it.
    assert "Not confirmed" not in client.get(page).get_data(as_text=True)


def test_an_already_decided_pledge_is_409_and_a_missing_reason_422(app, db, world, make_user):
    topic = make_topic(db, world)
    decided = add_pledge(db, topic, world["pharma"], "10.00", status="confirmed")
    pending = add_pledge(db, topic, world["pharma"], "20.00")
    client = _coordinator(app, make_user)
    page = f"/pledges/{decided.id}"
    response = post_form(client, f"{page}/confirm", {}, page=page)
    assert response.status_code == 409
    assert "Only submitted pledges can be decided" in response.get_data(as_text=True)
    page = f"/pledges/{pending.id}"
    response = post_form(client, f"{page}/reject", {"reason": ""}, page=page)
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    db.rollback()
    assert db.get(Pledge, pending.id).status == "submitted"


def test_a_refused_topic_transition_is_409_with_the_topic_page(app, db, world, make_user):
    topic = make_topic(db, world, status="idea", title="Bare idea")
    client = _coordinator(app, make_user)
    page = f"/topics/{topic.id}"
    response = post_form(client, f"{page}/transition/submit", {"comment": ""}, page=page)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Cannot submit to screening" in body and "Bare idea" in body
    db.rollback()
    assert db.get(Topic, topic.id).status == "idea"
    assert _audits(db, "topic.submit") == 0

"""The web layer builds the request context once per request: the signed-in user, the
client's address (into the audit log) and the configured public URL (into the links)."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, OutboxMessage
from tests.conftest import PASSWORD
from tests.support import login, post_form
from tests.topic_support import make_topic


def test_the_web_layer_builds_the_context_from_the_request(app, client, db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    make_user("coordinator")
    topic = make_topic(db, world, "idea")
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    login(client, member.email, PASSWORD)
    response = post_form(
        client,
        f"/topics/{topic.id}/transition/submit",
        {"comment": "ready"},
        page=f"/topics/{topic.id}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db.rollback()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "topic.submit")).one()
    assert entry.actor_id == member.id and entry.ip == "10.1.2.3"
    links = set(db.scalars(select(OutboxMessage.link)))
    assert links == {f"{app.config['PUBLIC_URL']}/topics/{topic.id}"}
    assert app.config["PUBLIC_URL"].startswith("http")

from __future__ import annotations

from sqlalchemy import select

from models import OutboxMessage
from services.notifications import notify


def test_notify_writes_inbox_and_email_rows_once_per_person(db, make_user):
    alice, bob = make_user(), make_user()
    rows = notify.notify(
        db,
        "topic.submitted",
        [alice, bob, alice],
        subject="Topic submitted",
        summary="Topic X was submitted.",
        link="http://x/topics/1",
        exclude=bob,
    )
    db.commit()
    assert {(r.recipient_id, r.channel) for r in rows} == {(alice.id, "inbox"), (alice.id, "email")}
    email = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
    assert email.subject == "Topic submitted"
    assert "Topic X was submitted." in email.body_text and "http://x/topics/1" in email.body_text
    assert "Topic X was submitted." in email.body_html


def test_rolled_back_change_leaves_no_notification(app, db, make_user):
    alice = make_user()
    session = app.extensions["partnering.sessions"]()
    notify.notify(session, "e", [session.merge(alice)], subject="s", summary="x", link="/")
    session.rollback()
    session.close()
    assert db.scalars(select(OutboxMessage)).first() is None

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


def test_one_builder_writes_every_outbox_row(db, make_user, settings, monkeypatch):
    """notify, account mail and the daily digest all build their rows with outbox_message."""
    from datetime import UTC, datetime

    from services.notifications import digest, preferences

    alice = make_user()
    preferences.set_preferences(db, alice, alice, {"topic.submitted": "digest"})
    built: list[OutboxMessage] = []
    build = notify.outbox_message

    def recording(*args, **kwargs):
        built.append(message := build(*args, **kwargs))
        return message

    monkeypatch.setattr(notify, "outbox_message", recording)
    monkeypatch.setattr(digest, "outbox_message", recording)
    notify.notify(db, "topic.submitted", [alice], subject="s" * 400, summary="x", link="/t/1")
    notify.queue_email(db, alice, "account.reset", "password_reset", link="/r", hours=2)
    assert digest.send_digests(db, settings, now=datetime(2030, 1, 1, 23, tzinfo=UTC)) == 1
    db.commit()
    assert set(db.scalars(select(OutboxMessage))) == set(built) and len(built) == 4
    inbox, batched, reset, daily = built
    assert (inbox.channel, inbox.status, inbox.sent_at is not None) == ("inbox", "sent", True)
    assert len(inbox.subject) == notify.SUBJECT_CHARS and inbox.payload == {}
    assert (batched.mode, batched.status, batched.digest_id) == ("digest", "digested", daily.id)
    assert (reset.mode, reset.status, reset.sent_at) == ("immediate", "pending", None)
    assert daily.dedupe_key == f"digest:{alice.id}:2030-01-01"
    assert daily.payload == {"items": [batched.id]}

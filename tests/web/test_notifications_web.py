"""The inbox, notification settings, the admin view of background work and resend (CSRF on)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import AuditEntry, NotificationPreference, OutboxMessage
from models.base import utcnow
from services.notifications import notify
from services.operations import heartbeats
from tests.conftest import PASSWORD
from tests.support import csrf_from, login, post_form


def _tell(db, user, n=1, link="http://testserver/topics/7"):
    for i in range(n):
        notify.notify(
            db, "topic.comment", [user], subject=f"Comment {i}", summary="Hello", link=link
        )
    db.commit()


def _inbox_ids(db, user):
    return list(
        db.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.recipient_id == user.id, OutboxMessage.channel == "inbox")
            .order_by(OutboxMessage.id)
        )
    )


def test_unread_badge_list_open_and_mark_read(client, db, make_user):
    alice = make_user()
    _tell(db, alice, 3)
    login(client, alice.email, PASSWORD)
    html = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'class="inbox-link">Inbox <span class="badge warn"[^>]*>3</span>', html)
    page = client.get("/inbox/").get_data(as_text=True)
    assert page.count("Comment") == 3 and "Mark as read" in page
    first, second, _ = _inbox_ids(db, alice)
    r = post_form(client, f"/inbox/{first}/open", {}, page="/inbox/")
    assert r.status_code == 302 and r.headers["Location"] == "/topics/7"
    r = post_form(client, f"/inbox/{second}/read", {}, page="/inbox/")
    assert r.status_code == 302
    assert ">1</span>" in client.get("/dashboard").get_data(as_text=True)
    r = post_form(client, "/inbox/read-all", {}, page="/inbox/", follow_redirects=True)
    assert "1 notification marked as read." in r.get_data(as_text=True)
    db.rollback()
    unread = select(OutboxMessage.id).where(
        OutboxMessage.channel == "inbox", OutboxMessage.read_at.is_(None)
    )
    assert db.scalar(unread) is None


def test_someone_elses_notification_is_not_found_and_foreign_links_are_not_followed(
    client, db, make_user
):
    alice, bob = make_user(), make_user()
    _tell(db, bob)
    _tell(db, alice, link="https://evil.example/phish")
    login(client, alice.email, PASSWORD)
    (bobs,) = _inbox_ids(db, bob)
    assert post_form(client, f"/inbox/{bobs}/read", {}, page="/inbox/").status_code == 404
    (mine,) = _inbox_ids(db, alice)
    r = post_form(client, f"/inbox/{mine}/open", {}, page="/inbox/")
    assert r.headers["Location"] == "/inbox/"


def test_posts_without_csrf_are_refused(client, db, make_user):
    alice = make_user()
    _tell(db, alice)
    login(client, alice.email, PASSWORD)
    (item,) = _inbox_ids(db, alice)
    assert client.post(f"/inbox/{item}/read").status_code == 400
    db.rollback()
    assert db.get(OutboxMessage, item).read_at is None


def test_settings_page_saves_choices_and_refuses_nonsense(client, db, make_user):
    alice = make_user()
    login(client, alice.email, PASSWORD)
    page = client.get("/inbox/settings").get_data(as_text=True)
    assert "Daily digest" in page and 'name="mode-pledge.confirmed"' in page
    r = post_form(
        client, "/inbox/settings", {"mode-topic.comment": "off", "mode-pledge.confirmed": "digest"}
    )
    assert r.status_code == 302
    chosen = dict(
        db.execute(
            select(NotificationPreference.event, NotificationPreference.mode).where(
                NotificationPreference.user_id == alice.id
            )
        ).all()
    )
    assert chosen == {"topic.comment": "off", "pledge.confirmed": "digest"}
    r = post_form(client, "/inbox/settings", {"mode-topic.comment": "weekly"})
    assert r.status_code == 422 and "Choose one of" in r.get_data(as_text=True)
    db.rollback()
    assert (
        db.scalar(
            select(NotificationPreference.mode).where(
                NotificationPreference.event == "topic.comment"
            )
        )
        == "off"
    )


def test_background_view_is_for_admins_and_warns_when_silent(client, db, make_user):
    admin, viewer = make_user(role="admin"), make_user()
    login(client, viewer.email, PASSWORD)
    assert client.get("/admin/background").status_code == 403
    client.post(
        "/auth/logout",
        data={"csrf_token": csrf_from(client.get("/dashboard").get_data(as_text=True))},
    )
    login(client, admin.email, PASSWORD)
    html = client.get("/admin/background").get_data(as_text=True)
    assert "No worker has reported yet" in html and "No scheduler (beat) has reported" in html
    assert "no broker: tasks run in-process" in html
    assert "No worker has reported yet" in client.get("/admin/users").get_data(as_text=True)
    heartbeats.beat(db, "worker", "host")
    heartbeats.beat(db, "beat", "host")
    db.commit()
    html = client.get("/admin/background").get_data(as_text=True)
    assert 'class="banner' not in html
    old = db.get(__import__("models").Heartbeat, "worker")
    old.at = utcnow() - timedelta(minutes=10)
    db.commit()
    assert "The worker has been silent for 10 min" in client.get("/admin/outbox").get_data(
        as_text=True
    )


def test_admin_resends_a_failed_mail(client, db, make_user):
    admin, alice = make_user(role="admin"), make_user()
    mail = notify.queue_email(db, alice, "account.reset", "password_reset", link="/r", hours=2)
    mail.status, mail.attempts, mail.last_error = "failed", 8, "SMTPServerDisconnected: gone"
    db.commit()
    login(client, admin.email, PASSWORD)
    assert "SMTPServerDisconnected" in client.get("/admin/background").get_data(as_text=True)
    page = f"/admin/outbox/{mail.id}"
    assert "Resend" in client.get(page).get_data(as_text=True)
    r = post_form(client, f"/admin/outbox/{mail.id}/resend", {}, page=page, follow_redirects=True)
    assert "queued again" in r.get_data(as_text=True)
    db.refresh(mail)
    assert mail.status == "pending"
    assert db.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "outbox.resend")) == (
        admin.id
    )
    r = post_form(client, f"/admin/outbox/{mail.id}/resend", {}, page=page, follow_redirects=True)
    assert "Only a failed email can be sent again." in r.get_data(as_text=True)

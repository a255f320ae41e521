"""Preferences, digest, reminders, delivery (claim, lease, retry, failure, resend), inbox."""

from __future__ import annotations

import dataclasses
import smtplib
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import models
from models import AuditEntry, DeadlineReminder, OutboxMessage
from models.base import utcnow
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.notifications import delivery, digest, inbox, notify, preferences, reminders
from tests.workers.faults import SmtpSink


def _emails(db, **where):
    query = select(OutboxMessage).where(OutboxMessage.channel == "email")
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(db.scalars(query.order_by(OutboxMessage.id)))


def _tell(db, users, event="topic.comment", n=1):
    for i in range(n):
        notify.notify(db, event, users, subject=f"S{i}", summary=f"x{i}", link=f"/t/{i}")
    db.commit()


# -- preferences ---------------------------------------------------------------------------


def test_preferences_decide_the_email_but_the_inbox_row_is_always_written(db, make_user):
    off, batched, default = make_user(), make_user(), make_user()
    preferences.set_preferences(db, off, off, {"topic.comment": "off"})
    preferences.set_preferences(db, batched, batched, {"topic.comment": "digest"})
    db.commit()
    rung: list[tuple] = []
    db.info["dispatch"] = lambda task, *args: rung.append((task, *args))
    rows = notify.notify(
        db, "topic.comment", [off, batched, default], subject="s", summary="x", link="/t/1"
    )
    db.commit()
    inbox_rows = {r.recipient_id for r in rows if r.channel == "inbox"}
    assert inbox_rows == {off.id, batched.id, default.id}
    emails = {r.recipient_id: r.mode for r in rows if r.channel == "email"}
    assert emails == {batched.id: "digest", default.id: "immediate"}
    immediate = next(r for r in rows if r.channel == "email" and r.mode == "immediate")
    assert rung == [(delivery.DELIVER_TASK, immediate.id)]  # digest rows are not rung
    # Another kind of event is unaffected by the 'off' choice.
    other = notify.notify(db, "pledge.submitted", [off], subject="s", summary="x", link="/")
    assert [r.channel for r in other] == ["inbox", "email"]


def test_preferences_refuse_unknown_events_modes_and_other_people(db, make_user):
    alice, bob = make_user(), make_user()
    with pytest.raises(InvalidInput) as exc:
        preferences.set_preferences(db, alice, alice, {"topic.comment": "hourly"})
    assert "topic.comment" in exc.value.field_errors
    with pytest.raises(InvalidInput):
        preferences.set_preferences(db, alice, alice, {"account.reset": "off"})
    with pytest.raises(PermissionDenied):
        preferences.set_preferences(db, bob, alice, {"topic.comment": "off"})
    db.rollback()
    assert preferences.preferences_of(db, alice)["topic.comment"] == "immediate"


def test_account_mail_is_always_immediate(db, make_user):
    alice = make_user()
    preferences.set_preferences(db, alice, alice, dict.fromkeys(preferences.EVENTS, "off"))
    mail = notify.queue_email(db, alice, "account.reset", "password_reset", link="/r", hours=2)
    db.commit()
    assert mail.mode == "immediate" and mail.status == "pending"
    assert preferences.modes_for(db, [alice], "account.reset") == {alice.id: "immediate"}


def test_rolled_back_change_leaves_no_row_and_rings_nothing(db, make_user):
    alice = make_user()
    rung: list[tuple] = []
    db.info["dispatch"] = lambda task, *args: rung.append(args)
    notify.notify(db, "topic.comment", [alice], subject="s", summary="x", link="/")
    db.rollback()
    db.commit()
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0
    assert rung == []


def test_email_names_the_object_with_a_link(db, make_user, world):
    alice = make_user()
    topic = models.Topic(
        programme=world["programme"],
        sgg=world["sgg_a"],
        title="AMR tools",
        identifier="IHI-2026-07",
    )
    db.add(topic)
    db.flush()
    rows = notify.notify(
        db,
        "topic.submitted",
        [alice],
        subject="Topic submitted",
        summary="A topic was submitted.",
        link="http://t/topics/1",
        obj=topic,
    )
    email = next(r for r in rows if r.channel == "email")
    assert "IHI-2026-07: AMR tools" in email.body_text and "http://t/topics/1" in email.body_text
    assert (
        "IHI-2026-07: AMR tools" in email.body_html
        and 'href="http://t/topics/1"' in email.body_html
    )
    assert (email.object_type, email.object_id) == ("topics", topic.id)


# -- digest --------------------------------------------------------------------------------


def test_daily_digest_is_one_mail_per_user_per_day(db, make_user, settings):
    alice, bob = make_user(), make_user()
    for u in (alice, bob):
        preferences.set_preferences(db, u, u, {"topic.comment": "digest"})
    _tell(db, [alice, bob], n=3)
    morning = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert digest.send_digests(db, settings, now=morning) == 0  # before DIGEST_HOUR
    day = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert digest.send_digests(db, settings, now=day) == 2
    db.commit()
    digests = _emails(db, event="digest")
    assert len(digests) == 2 and {d.dedupe_key for d in digests} == {
        f"digest:{alice.id}:2026-11-23",
        f"digest:{bob.id}:2026-11-23",
    }
    assert "S0" in digests[0].body_text and "S2" in digests[0].body_text
    assert len(_emails(db, status="digested")) == 6
    # Run again the same day, with a new batched mail: nothing more today.
    _tell(db, [alice])
    assert digest.send_digests(db, settings, now=day + timedelta(hours=5)) == 0
    db.commit()
    assert len(_emails(db, event="digest")) == 2
    # The next day the waiting mail goes out.
    assert digest.send_digests(db, settings, now=day + timedelta(days=1)) == 1
    db.commit()
    assert len(_emails(db, event="digest")) == 3
    assert _emails(db, mode="digest", status="pending") == []


# -- reminders -----------------------------------------------------------------------------


@pytest.fixture
def call_world(db, world, make_user):
    programme = world["programme"]
    call = models.Call(
        programme=programme,
        identifier="IHI-CALL-9",
        title="Call nine",
        call_type="two_stage",
        stage1_deadline=datetime(2026, 12, 15, 17, 0, tzinfo=UTC),
        stage2_deadline=datetime(2027, 6, 1, 17, 0, tzinfo=UTC),
    )
    topic = models.Topic(
        programme=programme, sgg=world["sgg_a"], call=call, title="T", status="published"
    )
    dead = models.Topic(
        programme=programme, sgg=world["sgg_b"], call=call, title="Gone", status="withdrawn"
    )
    db.add_all([call, topic, dead])
    db.flush()
    db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=world["pharma"].id))
    db.commit()
    people = {
        "member": make_user(sgg_id=world["sgg_a"].id),
        "rep": make_user(org_id=world["pharma"].id),
        "coordinator": make_user(role="coordinator"),
        "other_sgg": make_user(sgg_id=world["sgg_b"].id),
        "other_rep": make_user(org_id=world["pharma2"].id),
        "applicant": make_user(org_id=world["pharma"].id, org_role="applicant"),
        "viewer": make_user(),
    }
    return call, people


def test_reminders_reach_the_people_concerned_once_per_threshold(db, settings, call_world):
    call, people = call_world
    concerned = {people[k].id for k in ("member", "rep", "coordinator")}
    assert {u.id for u in reminders.concerned(db, call)} == concerned
    assert reminders.send_due_reminders(db, settings, now=datetime(2026, 11, 20, tzinfo=UTC)) == 0
    # 10 days before: the 14-day reminder; run twice (beat twice, a restart).
    ten_days = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    assert reminders.send_due_reminders(db, settings, now=ten_days) == 3
    assert reminders.send_due_reminders(db, settings, now=ten_days + timedelta(hours=1)) == 0
    db.commit()
    keys = set(
        db.execute(
            select(DeadlineReminder.user_id, DeadlineReminder.stage, DeadlineReminder.days)
        ).all()
    )
    assert keys == {(uid, "stage1", 14) for uid in concerned}
    # 12 hours before: only the 1-day reminder (the 7-day one was skipped, not sent late).
    late = datetime(2026, 12, 15, 5, 0, tzinfo=UTC)
    assert reminders.send_due_reminders(db, settings, now=late) == 3
    db.commit()
    assert db.scalar(select(func.count(DeadlineReminder.id))) == 6
    inbox_rows = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.channel == "inbox", OutboxMessage.event == "call.deadline_reminder"
        )
    ).all()
    assert len(inbox_rows) == 6
    assert any("less than a day" in r.subject for r in inbox_rows)
    assert reminders.send_due_reminders(db, settings, now=late) == 0


def test_reminder_thresholds_come_from_the_programme(db, settings, call_world, world):
    world["programme"].reminder_days = "30, 3"
    db.commit()
    assert reminders.parse_days("30, 3,x,0") == [3, 30]
    now = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)  # 10 days before: the 30-day threshold
    assert reminders.send_due_reminders(db, settings, now=now) == 3
    assert set(db.scalars(select(DeadlineReminder.days))) == {30}


# -- delivery ------------------------------------------------------------------------------


@pytest.fixture
def sink():
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, sink):
    return dataclasses.replace(
        settings,
        mail_server="127.0.0.1",
        mail_port=sink.port,
        outbox_retry_base_seconds=10,
        outbox_max_attempts=3,
        smtp_timeout_seconds=5,
    )


def _scope(factory):
    @contextmanager
    def scope():
        with factory() as session:
            yield session
            session.commit()

    return scope


@pytest.fixture
def scope(app):
    return _scope(app.extensions["partnering.sessions"])


def _one_email(db, make_user):
    alice = make_user()
    mail = notify.queue_email(db, alice, "account.reset", "password_reset", link="/r", hours=2)
    db.commit()
    return mail


def test_delivery_sends_with_a_stable_message_id(db, make_user, mail_settings, sink, scope):
    mail = _one_email(db, make_user)
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "sent"
    assert sink.unique == {f"<outbox-{mail.id}@partnering-machine>"}
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "not-due"  # ringing twice
    db.refresh(mail)
    assert mail.status == "sent" and mail.sent_at is not None and mail.attempts == 1
    assert sink.total == 1


def test_without_a_mail_server_mail_stays_pending(db, make_user, settings, scope):
    mail = _one_email(db, make_user)
    assert delivery.deliver_one(scope, settings, mail.id) == "kept"
    db.refresh(mail)
    assert mail.status == "pending" and mail.attempts == 0


def test_claim_is_exclusive_and_a_lost_lease_comes_back(db, make_user, mail_settings):
    mail = _one_email(db, make_user)
    first = delivery.claim(db, mail_settings, mail.id)
    db.commit()
    assert first is not None and delivery.claim(db, mail_settings, mail.id) is None
    assert delivery.due_ids(db, mail_settings) == []
    # The worker dies: once the lease expires the sweep sees the row again.
    mail.lease_until = utcnow() - timedelta(seconds=1)
    db.commit()
    assert delivery.due_ids(db, mail_settings) == [mail.id]
    second = delivery.claim(db, mail_settings, mail.id)
    db.commit()
    assert second is not None and second.attempts == 2 and second.token != first.token
    # The first worker, back from the dead, may not record over the new holder.
    assert delivery.record(db, mail_settings, first, delivery.Outcome(True)) == "lease-lost"
    assert delivery.record(db, mail_settings, second, delivery.Outcome(True)) == "sent"


def test_temporary_failures_back_off_then_fail_and_an_admin_resends(
    db, make_user, mail_settings, sink, scope
):
    mail = _one_email(db, make_user)
    sink.stop()
    before = utcnow()
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "pending"
    db.refresh(mail)
    assert mail.attempts == 1 and "Connection" in mail.last_error
    delay = (mail.next_attempt_at - before).total_seconds()
    assert 4 <= delay <= 11  # base 10 s with jitter between 50 % and 100 %
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "not-due"
    assert delivery.due_ids(db, mail_settings) == []
    for expected in ("pending", "failed"):
        db.rollback()  # SQLite: end the read snapshot before writing
        mail.next_attempt_at = utcnow()
        db.commit()
        assert delivery.due_ids(db, mail_settings) == [mail.id]
        assert delivery.deliver_one(scope, mail_settings, mail.id) == expected
        db.rollback()
    assert mail.status == "failed" and mail.attempts == 3 and mail.sent_at is None
    admin, viewer = make_user(role="admin"), make_user()
    with pytest.raises(PermissionDenied):
        delivery.resend(db, viewer, mail)
    rung: list[tuple] = []
    db.info["dispatch"] = lambda task, *args: rung.append(args)
    delivery.resend(db, admin, mail)
    db.commit()
    assert rung == [(mail.id,)] and mail.status == "pending" and mail.attempts == 0
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.resend")).one()
    assert entry.actor_id == admin.id and entry.object_id == mail.id
    with pytest.raises(Conflict):
        delivery.resend(db, admin, mail)
    sink.start()
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "sent"


def test_a_permanent_refusal_fails_at_once(db, make_user, mail_settings, scope, monkeypatch):
    mail = _one_email(db, make_user)

    def refuse(_settings, _mail, _accepted=None):
        raise smtplib.SMTPRecipientsRefused({mail.recipient_email: (550, b"no such user")})

    monkeypatch.setattr(delivery, "send_smtp", refuse)
    assert delivery.deliver_one(scope, mail_settings, mail.id) == "failed"
    db.refresh(mail)
    assert mail.attempts == 1 and "550" in mail.last_error


def test_sweep_grace_leaves_fresh_rows_to_their_own_task(db, make_user, mail_settings):
    mail = _one_email(db, make_user)
    assert delivery.due_ids(db, mail_settings) == []
    mail.created_at = utcnow() - timedelta(seconds=mail_settings.outbox_sweep_grace_seconds + 1)
    db.commit()
    assert delivery.due_ids(db, mail_settings) == [mail.id]


# -- inbox ---------------------------------------------------------------------------------


def test_inbox_counts_marks_and_keeps_to_its_owner(db, make_user):
    alice, bob = make_user(), make_user()
    _tell(db, [alice], n=3)
    _tell(db, [bob])
    assert inbox.unread_count(db, alice) == 3
    first = db.scalars(inbox.listing(alice)).first()
    inbox.mark_read(db, alice, first.id)
    assert inbox.unread_count(db, alice) == 2
    with pytest.raises(Exception, match="No such notification"):
        inbox.mark_read(db, bob, first.id)
    assert inbox.mark_all_read(db, alice) == 2
    db.commit()
    assert inbox.unread_count(db, alice) == 0 and inbox.unread_count(db, bob) == 1

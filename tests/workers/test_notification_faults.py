"""Notifications under faults, with real components: an SMTP server on loopback (aiosmtpd)
counting Message-IDs, a private redis-server, real Celery worker and beat processes.

Each scenario prints a ``FAULT-FIGURES`` line (delivered, duplicates, time to recover);
``bench/notifications_faults.py`` runs them and collects the lines. On SQLite the worker
processes share the test database file (WAL, busy timeout, BEGIN IMMEDIATE).
"""

from __future__ import annotations

import dataclasses
import random
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import models
from models import DeadlineReminder, OutboxMessage, TaskRun, User
from models.base import utcnow
from models.db import make_engine, make_session_factory
from services.notifications.notify import notify
from tests.workers.faults import Processes, RedisServer, SmtpSink, figures, wait_for
from workers.runtime import build_runtime

# Real worker, beat and Redis processes killed and restarted: the production configuration.
pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

FAST = {
    "CELERY_VISIBILITY_TIMEOUT": "5",
    "OUTBOX_LEASE_SECONDS": "5",
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_SWEEP_GRACE_SECONDS": "3",
    "SMTP_TIMEOUT_SECONDS": "5",
    "BEAT_SWEEP_SECONDS": "2",
    "BEAT_HEARTBEAT_SECONDS": "2",
    "BEAT_REMINDER_SECONDS": "1",
    "BEAT_DIGEST_SECONDS": "3600",
}


@dataclasses.dataclass
class Scenario:
    sink: SmtpSink
    redis: RedisServer
    procs: Processes
    sessions: Any
    observer: Any

    def counts(self) -> dict[str, int]:
        with self.observer() as s:
            rows = s.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.channel == "email")
                .group_by(OutboxMessage.status)
            ).all()
        return {status: n for status, n in rows}

    def sent(self) -> int:
        return self.counts().get("sent", 0)

    def sent_ids(self) -> set[str]:
        with self.observer() as s:
            ids = s.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.channel == "email", OutboxMessage.status == "sent"
                )
            )
            return {f"<outbox-{i}@partnering-machine>" for i in ids}

    def email_ids(self) -> set[str]:
        with self.observer() as s:
            ids = s.scalars(select(OutboxMessage.id).where(OutboxMessage.channel == "email"))
            return {f"<outbox-{i}@partnering-machine>" for i in ids}

    def nothing_sent_unaccepted(self) -> None:
        assert self.sent_ids() <= self.sink.unique, "a row is 'sent' that the server never got"


@pytest.fixture
def scenario(db, settings, tmp_path) -> Iterator[Scenario]:
    sink, redis = SmtpSink(), RedisServer()
    redis.start()
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis.url,
        "SECRET_KEY": settings.secret_key,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink.port),
        "PUBLIC_URL": "http://testserver",
        **FAST,
    }
    local = dataclasses.replace(
        settings,
        redis_url=redis.url,
        mail_server="127.0.0.1",
        mail_port=sink.port,
        outbox_lease_seconds=5,
        outbox_retry_base_seconds=1,
        outbox_sweep_grace_seconds=3,
    )
    runtime = build_runtime(local)  # this process rings the scenario's broker
    observer_engine = make_engine(settings.database_url, immediate=False)
    procs = Processes(env, tmp_path)
    try:
        yield Scenario(sink, redis, procs, runtime.sessions, make_session_factory(observer_engine))
    except BaseException:
        print(procs.tail())
        raise
    finally:
        procs.stop_all()
        runtime.close()
        sink.stop()
        redis.stop()
        observer_engine.dispose()


def _people(session: Any, n: int, prefix: str = "p") -> list[User]:
    tag = uuid.uuid4().hex[:6]
    users = [User(email=f"{prefix}{i}-{tag}@example.org", name=f"{prefix}{i}") for i in range(n)]
    session.add_all(users)
    session.flush()
    return users


def _notifications(sc: Scenario, people: int, each: int) -> int:
    """Commit people x each notifications in one transaction (rung after the commit)."""
    with sc.sessions() as session:
        users = _people(session, people)
        for i in range(each):
            notify(
                session,
                "topic.comment",
                users,
                subject=f"New comment {i}",
                summary=f"Comment number {i} on a topic.",
                link=f"http://testserver/topics/{i}",
            )
        session.commit()
    return people * each


def test_worker_killed_mid_delivery_loses_nothing(scenario: Scenario) -> None:
    sc = scenario
    sc.sink.start()
    n = _notifications(sc, 50, 20)
    assert n == 1000
    sc.procs.beat()
    started = time.monotonic()
    worker = sc.procs.worker(pool="prefork", concurrency=2)
    kill_at = random.randint(250, 450)
    wait_for(lambda: sc.sink.total >= kill_at, 120, f"{kill_at} mails before the kill", 0.02)
    time.sleep(random.uniform(0, 0.05))  # an arbitrary instant, not tied to an SMTP event
    sc.procs.kill(worker)
    killed = time.monotonic()
    at_kill = sc.sink.total
    sc.procs.worker(pool="prefork", concurrency=2)
    wait_for(lambda: sc.sent() == n, 240, "every email sent after the restart", 0.5)
    recover = time.monotonic() - killed
    wait_for(lambda: sc.sink.unique >= sc.email_ids(), 10, "the server to have every mail")
    time.sleep(1)
    figures(
        "worker-sigkill",
        db=sc.observer.kw["bind"].dialect.name,
        notifications=n,
        received_before_kill=at_kill,
        delivered_unique=len(sc.sink.unique),
        duplicates=sc.sink.duplicates,
        recover_s=f"{recover:.1f}",
        total_s=f"{time.monotonic() - started:.1f}",
    )
    assert sc.sink.unique == sc.email_ids()
    assert sc.counts() == {"sent": n}
    sc.nothing_sent_unaccepted()
    # At-least-once: only a mail in flight in a killed pool process (at most one per
    # process, 2 here) can be sent again, and then under the same Message-ID.
    assert sc.sink.duplicates <= 2


def test_smtp_down_then_back_delivers_all_once(scenario: Scenario) -> None:
    sc = scenario
    sc.procs.worker(pool="prefork", concurrency=2)
    sc.procs.beat()
    n = _notifications(sc, 20, 10)
    created = time.monotonic()

    def min_attempts() -> int:
        with sc.observer() as s:
            return s.scalar(
                select(func.min(OutboxMessage.attempts)).where(OutboxMessage.channel == "email")
            )

    # The server stays down until every mail was tried and refused, twice at least.
    wait_for(lambda: min_attempts() >= 2, 90, "every mail to be tried while the server is down")
    down = time.monotonic() - created
    during = sc.counts()
    with sc.observer() as s:
        error = s.scalar(select(OutboxMessage.last_error).where(OutboxMessage.channel == "email"))
    assert during.get("sent", 0) == 0 and sc.sink.total == 0
    assert during.get("failed", 0) == 0
    assert "Connection" in error
    sc.sink.start()
    back = time.monotonic()
    wait_for(lambda: sc.sent() == n, 120, "every email sent once the server is back", 0.5)
    recover = time.monotonic() - back
    with sc.observer() as s:
        max_attempts = s.scalar(select(func.max(OutboxMessage.attempts)))
    figures(
        "smtp-down",
        db=sc.observer.kw["bind"].dialect.name,
        notifications=n,
        down_s=f"{down:.1f}",
        sent_while_down=during.get("sent", 0),
        delivered_unique=len(sc.sink.unique),
        duplicates=sc.sink.duplicates,
        max_attempts=max_attempts,
        recover_s=f"{recover:.1f}",
    )
    assert sc.sink.unique == sc.email_ids() and sc.sink.duplicates == 0
    sc.nothing_sent_unaccepted()


def test_redis_restarted_between_commit_and_enqueue(scenario: Scenario) -> None:
    sc = scenario
    sc.sink.start()
    sc.procs.beat()
    worker = sc.procs.worker(pool="prefork", concurrency=2)
    warmup = _notifications(sc, 5, 2)
    wait_for(lambda: sc.sent() == warmup, 60, "the warm-up mails")
    sc.procs.kill(worker)  # nobody consumes: the next doorbells wait in Redis...
    queued = _notifications(sc, 15, 10)
    sc.redis.stop()  # ...and are lost with it (no persistence)
    t0 = time.monotonic()
    unrung = _notifications(sc, 10, 10)  # committed while Redis is down: enqueue fails
    enqueue_s = time.monotonic() - t0
    sc.redis.start()
    back = time.monotonic()
    sc.procs.worker(pool="prefork", concurrency=2)
    total = warmup + queued + unrung
    wait_for(lambda: sc.sent() == total, 120, "the sweep to deliver every email", 0.5)
    recover = time.monotonic() - back
    figures(
        "redis-restart",
        db=sc.observer.kw["bind"].dialect.name,
        lost_in_queue=queued,
        committed_while_down=unrung,
        commit_while_down_s=f"{enqueue_s:.2f}",
        delivered_unique=len(sc.sink.unique),
        duplicates=sc.sink.duplicates,
        recover_s=f"{recover:.1f}",
    )
    assert sc.sink.unique == sc.email_ids() and sc.sink.duplicates == 0
    sc.nothing_sent_unaccepted()


def test_two_workers_two_beats_send_each_reminder_once(scenario: Scenario) -> None:
    sc = scenario
    sc.sink.start()
    with sc.sessions() as session:
        programme = models.Programme(code=f"P-{uuid.uuid4().hex[:6]}", name="P")
        sgg = models.Sgg(programme=programme, name="SGG")
        org = models.Organisation(
            legal_name="Pharma", country="CH", sector="industry", pic=uuid.uuid4().hex[:9]
        )
        call = models.Call(
            programme=programme,
            identifier=f"CALL-{uuid.uuid4().hex[:6]}",
            title="Call",
            call_type="two_stage",
            stage1_deadline=utcnow() + timedelta(days=6),
            stage2_deadline=utcnow() + timedelta(days=60),
        )
        topic = models.Topic(programme=programme, sgg=sgg, call=call, title="T", status="published")
        session.add_all([programme, sgg, org, call, topic])
        session.flush()
        session.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=org.id))
        members, reps = _people(session, 20, "sgg"), _people(session, 10, "rep")
        coordinators = _people(session, 5, "coord")
        bystanders = _people(session, 5, "other")
        for u in members:
            session.add(models.SggMembership(user_id=u.id, sgg_id=sgg.id))
        for u in reps:
            session.add(
                models.OrganisationMembership(
                    user_id=u.id, organisation_id=org.id, role="partner_rep"
                )
            )
        for u in coordinators:
            u.role = "coordinator"
        session.commit()
    expected = len(members) + len(reps) + len(coordinators)
    assert bystanders
    for _ in range(2):
        sc.procs.worker(pool="prefork", concurrency=2)
        sc.procs.beat()
    wait_for(lambda: sc.sent() >= expected, 90, "the reminders to be mailed", 0.5)
    time.sleep(8)  # both beats keep firing the reminder task every second
    with sc.observer() as s:
        reminders = s.scalar(select(func.count(DeadlineReminder.id)))
        inbox = s.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.channel == "inbox", OutboxMessage.event == "call.deadline_reminder"
            )
        )
        runs = s.scalar(
            select(func.count(TaskRun.id)).where(
                TaskRun.task == "workers.tasks.send_reminders", TaskRun.status == "succeeded"
            )
        )
        hosts = set(s.scalars(select(TaskRun.hostname)))
        beats = {h.name for h in s.scalars(select(models.Heartbeat))}
    figures(
        "two-workers-two-beats",
        db=sc.observer.kw["bind"].dialect.name,
        people_concerned=expected,
        reminder_task_runs=runs,
        workers_seen=len(hosts),
        reminders=reminders,
        inbox_rows=inbox,
        mails_received=sc.sink.total,
        duplicates=sc.sink.duplicates,
    )
    assert reminders == expected and inbox == expected
    assert sc.sink.total == expected and sc.sink.duplicates == 0
    assert runs >= 10 and len(hosts) == 2
    assert {"worker", "beat"} <= beats
    sc.nothing_sent_unaccepted()

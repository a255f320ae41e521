"""Without Redis the web process runs the periodic jobs itself: the sweep delivers a mail
whose doorbell was lost, heartbeats are written, and without a mail server mail is kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from models import Heartbeat, OutboxMessage
from services.notifications import notify
from tests.workers.faults import SmtpSink, wait_for
from webapp import create_app
from workers.runtime import build_runtime


@pytest.fixture
def embedded_app(db, settings) -> Iterator[tuple[Any, SmtpSink]]:
    sink = SmtpSink()
    sink.start()
    local = dataclasses.replace(
        settings,
        mail_server="127.0.0.1",
        mail_port=sink.port,
        outbox_sweep_grace_seconds=0,
        beat_sweep_seconds=0.5,
        beat_heartbeat_seconds=0.5,
    )
    runtime = build_runtime(local)
    try:
        yield create_app(runtime=runtime, TESTING=True, EMBEDDED_SCHEDULER=False), sink
    finally:
        runtime.close()  # stops the scheduler; the `app` fixture empties the tables
        sink.stop()


def test_embedded_scheduler_sweeps_lost_mail_and_beats(embedded_app, make_user):
    app, sink = embedded_app
    runtime = app.extensions["partnering.runtime"]
    alice = make_user()
    with runtime.sessions() as session:
        session.info.pop("dispatch")  # the doorbell is lost: nothing rings after commit
        row = notify.queue_email(session, alice, "account.reset", "password_reset", hours=2)
        session.commit()
        assert row.status == "pending"
    runtime.scheduler.start(tick=0.2)
    wait_for(lambda: sink.total == 1, 30, "the embedded sweep to deliver the mail")
    runtime.scheduler.stop()
    runtime.dispatcher.wait_idle()
    assert sink.unique == {f"<outbox-{row.id}@partnering-machine>"}
    with runtime.sessions() as session:
        assert session.get(OutboxMessage, row.id).status == "sent"
        assert {"worker", "beat"} <= set(session.scalars(select(Heartbeat.name)))


def test_no_mail_server_keeps_mail_in_the_outbox(app, runtime, client, db, make_user):
    alice = make_user()
    notify.notify(
        db, "pledge.confirmed", [alice], subject="Pledge confirmed", summary="Yes", link="/p/1"
    )
    db.commit()
    runtime.dispatcher.wait_idle()
    db.rollback()
    email = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
    assert email.status == "pending" and email.attempts == 0
    admin = make_user(role="admin")
    from tests.conftest import PASSWORD
    from tests.support import login

    login(client, admin.email, PASSWORD)
    html = client.get(f"/admin/outbox/{email.id}").get_data(as_text=True)
    assert "Pledge confirmed" in html and "Yes" in html


def test_the_scheduler_starts_with_the_first_request_only_without_a_broker(db, settings):
    runtime = build_runtime(settings)
    try:
        app = create_app(runtime=runtime, TESTING=True, EMBEDDED_SCHEDULER=True)
        assert not runtime.scheduler.running  # creating the app (CLI commands) starts nothing
        app.test_client().get("/health")
        assert runtime.scheduler.running
    finally:
        runtime.close()
    assert not runtime.scheduler.running

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


@pytest.fixture
def embedded_app(db, settings, monkeypatch) -> Iterator[tuple[Any, SmtpSink]]:
    from webapp import create_app
    from workers import embedded

    monkeypatch.setenv("BEAT_SWEEP_SECONDS", "0.5")
    monkeypatch.setenv("BEAT_HEARTBEAT_SECONDS", "0.5")
    sink = SmtpSink()
    sink.start()
    local = dataclasses.replace(
        settings, mail_server="127.0.0.1", mail_port=sink.port, outbox_sweep_grace_seconds=0
    )
    app = create_app(local, TESTING=True, EMBEDDED_SCHEDULER=False)
    try:
        yield app, sink
    finally:
        embedded.stop()
        sink.stop()
        app.extensions["partnering.engine"].dispose()  # the `app` fixture empties the tables


def test_embedded_scheduler_sweeps_lost_mail_and_beats(embedded_app, make_user):
    from workers import embedded
    from workers.dispatch import wait_idle

    app, sink = embedded_app
    alice = make_user()
    factory = app.extensions["partnering.sessions"]
    with factory() as session:
        session.info.pop("dispatch")  # the doorbell is lost: nothing rings after commit
        row = notify.queue_email(session, alice, "account.reset", "password_reset", hours=2)
        session.commit()
        assert row.status == "pending"
    embedded.start(tick=0.2)
    wait_for(lambda: sink.total == 1, 30, "the embedded sweep to deliver the mail")
    embedded.stop()
    wait_idle()
    assert sink.unique == {f"<outbox-{row.id}@partnering-machine>"}
    with factory() as session:
        assert session.get(OutboxMessage, row.id).status == "sent"
        assert {"worker", "beat"} <= set(session.scalars(select(Heartbeat.name)))


def test_no_mail_server_keeps_mail_in_the_outbox(app, client, db, make_user):
    from workers.dispatch import wait_idle

    alice = make_user()
    notify.notify(
        db, "pledge.confirmed", [alice], subject="Pledge confirmed", summary="Yes", link="/p/1"
    )
    db.commit()
    wait_idle()
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
    from webapp import create_app
    from workers import embedded

    app = create_app(settings, TESTING=True, EMBEDDED_SCHEDULER=True)
    try:
        assert embedded._thread is None  # creating the app (CLI commands) starts nothing
        app.test_client().get("/health")
        assert embedded._thread is not None and embedded._thread.is_alive()
    finally:
        embedded.stop()
        app.extensions["partnering.engine"].dispose()

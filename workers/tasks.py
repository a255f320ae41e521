"""Thin tasks: take ids and an idempotency key, open a session, call one service.

Periodic tasks (sweep, reminders, digest) are recorded as task runs for the admin view;
every one of them is idempotent, so two beat processes or a redelivery change nothing.
"""

from __future__ import annotations

from celery import shared_task

from services.notifications import delivery, digest, reminders
from services.notifications.notify import DELIVER_TASK, ring
from services.operations import heartbeats, task_runs
from workers.context import settings, task_session
from workers.runs import tracked


@shared_task(name="workers.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox(message_id: int) -> str:
    # Claim, send and record are three short transactions (see services/delivery.py).
    return delivery.deliver_one(task_session, settings(), message_id)


@shared_task(name="workers.tasks.sweep_outbox", ignore_result=True, bind=True)
def sweep_outbox(self) -> int:  # type: ignore[no-untyped-def]
    """Ring again for every email whose delivery was lost or whose retry is due."""
    with tracked(self, "workers.tasks.sweep_outbox"), task_session() as session:
        ids = delivery.due_ids(session, settings())
        for message_id in ids:
            ring(session, DELIVER_TASK, message_id)
        task_runs.prune(session)
        return len(ids)


@shared_task(name="workers.tasks.send_reminders", ignore_result=True, bind=True)
def send_reminders(self) -> int:  # type: ignore[no-untyped-def]
    with tracked(self, "workers.tasks.send_reminders"), task_session() as session:
        return reminders.send_due_reminders(session, settings())


@shared_task(name="workers.tasks.send_digests", ignore_result=True, bind=True)
def send_digests(self) -> int:  # type: ignore[no-untyped-def]
    with tracked(self, "workers.tasks.send_digests"), task_session() as session:
        return digest.send_digests(session, settings())


@shared_task(name="workers.tasks.heartbeat", ignore_result=False)
def heartbeat(name: str, key: str = "") -> str:
    with task_session() as session:
        heartbeats.beat(session, name, key or _hostname())
    return key or name


def _hostname() -> str:
    import socket

    return socket.gethostname()[:64]

"""Thin tasks: take ids and an idempotency key, open a session, call one service.

Each task finds its runtime (settings, session scope) through the Celery app it runs on
(``self.runtime``, see workers/celery_app.py). Periodic tasks (sweep, reminders, digest)
are recorded as task runs for the admin view; every one of them is idempotent, so two
beat processes or a redelivery change nothing.
"""

from __future__ import annotations

from celery import shared_task

from services.notifications import delivery, digest, reminders
from services.notifications.notify import DELIVER_TASK, ring
from services.operations import heartbeats, leases, task_runs
from workers.runs import hostname, tracked


@shared_task(name="workers.tasks.deliver_outbox", ignore_result=True, bind=True)
def deliver_outbox(self, message_id: int) -> str:
    # Claim, send and record are three short transactions (see services/delivery.py).
    runtime = self.runtime
    return delivery.deliver_one(runtime.session_scope, runtime.settings, message_id)


@shared_task(name="workers.tasks.sweep_outbox", ignore_result=True, bind=True)
def sweep_outbox(self) -> int:
    """Ring again for every email whose delivery was lost or whose retry is due."""
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        ids = delivery.due_ids(session, runtime.settings)
        for message_id in ids:
            ring(session, DELIVER_TASK, message_id)
        task_runs.prune(session)
        return len(ids)


@shared_task(name="workers.tasks.sweep_jobs", ignore_result=True, bind=True)
def sweep_jobs(self) -> dict[str, int]:
    """Queue again the match runs, index builds and imports whose worker stopped."""
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        return leases.sweep(session, runtime.settings)


@shared_task(name="workers.tasks.send_reminders", ignore_result=True, bind=True)
def send_reminders(self) -> int:
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        return reminders.send_due_reminders(session, runtime.settings)


@shared_task(name="workers.tasks.send_digests", ignore_result=True, bind=True)
def send_digests(self) -> int:
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        return digest.send_digests(session, runtime.settings)


@shared_task(name="workers.tasks.heartbeat", ignore_result=False, bind=True)
def heartbeat(self, name: str, key: str = "") -> str:
    with self.runtime.session_scope() as session:
        heartbeats.beat(session, name, key or hostname())
    return key or name

"""Thin tasks: take ids and an idempotency key, open a session, call one service."""

from __future__ import annotations

from celery import shared_task

from services import delivery, heartbeats
from workers.context import settings, task_session


@shared_task(name="workers.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox(message_id: int) -> str:
    with task_session() as session:
        return delivery.deliver(session, settings(), message_id)


@shared_task(name="workers.tasks.heartbeat", ignore_result=False)
def heartbeat(name: str, key: str = "") -> str:
    with task_session() as session:
        heartbeats.beat(session, name, key)
    return key or name

"""The outbox as administrators read it: every message, newest first, counts by status."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import OutboxMessage
from services.core.errors import NotFound


def listing(status: str | None = None) -> Select[tuple[OutboxMessage]]:
    """Newest first, of one status or all; pass to the paginator."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    return query


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows}


def get_message(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    return message

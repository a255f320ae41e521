"""The outbox as administrators read it: every message, newest first, counts by status."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, load_only

from models import OutboxMessage
from services.core.errors import NotFound

# Built once: only what the list shows is loaded (not every message's bodies).
_LISTING = (
    select(OutboxMessage)
    .options(
        load_only(
            OutboxMessage.created_at,
            OutboxMessage.event,
            OutboxMessage.channel,
            OutboxMessage.mode,
            OutboxMessage.recipient_email,
            OutboxMessage.subject,
            OutboxMessage.status,
        )
    )
    .order_by(OutboxMessage.id.desc())
)


def listing(status: str | None = None) -> Select[tuple[OutboxMessage]]:
    """Newest first, of one status or all; pass to the paginator."""
    return _LISTING.where(OutboxMessage.status == status) if status else _LISTING


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

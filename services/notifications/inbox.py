"""The in-app inbox: a user's notification rows, unread count, marking as read."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage, User
from models.base import utcnow
from services.core.errors import NotFound


def _mine(user: User) -> Select[tuple[OutboxMessage]]:
    return select(OutboxMessage).where(
        OutboxMessage.recipient_id == user.id, OutboxMessage.channel == "inbox"
    )


def listing(user: User, unread_only: bool = False) -> Select[tuple[OutboxMessage]]:
    """Newest first; pass to the paginator."""
    query = _mine(user).order_by(OutboxMessage.id.desc())
    return query.where(OutboxMessage.read_at.is_(None)) if unread_only else query


def unread_count(session: Session, user: User) -> int:
    """Counted now, or as loaded with the signed-in user at the start of the request (marking
    as read forgets that figure)."""
    if user.unread_inbox is not None:
        return user.unread_inbox
    return int(
        session.scalar(
            _mine(user)
            .where(OutboxMessage.read_at.is_(None))
            .with_only_columns(func.count(OutboxMessage.id))
        )
        or 0
    )


def get(session: Session, user: User, item_id: int) -> OutboxMessage:
    """One of the user's own inbox items; another person's is NotFound, not Forbidden."""
    item = session.scalar(_mine(user).where(OutboxMessage.id == item_id))
    if item is None:
        raise NotFound("No such notification in your inbox.")
    return item


def mark_read(session: Session, user: User, item_id: int) -> OutboxMessage:
    item = get(session, user, item_id)
    if item.read_at is None:
        item.read_at = utcnow()
        session.flush()
        _forget_unread(session, user)
    return item


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == user.id,
            OutboxMessage.channel == "inbox",
            OutboxMessage.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _forget_unread(session, user)
    return int(getattr(result, "rowcount", 0) or 0)


def _forget_unread(session: Session, user: User) -> None:
    if user in session:
        session.expire(user, ["unread_inbox"])

"""The daily digest: one email per user per day gathering the emails they chose to batch.

Idempotent: the digest row carries ``dedupe_key = digest:<user>:<day>`` (unique), inserted
in a savepoint in the same transaction that marks the gathered rows ``digested``. A second
run on the same day (beat twice, a retry) finds the key and sends nothing; rows written
after the day's digest wait for the next day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import OutboxMessage, User
from models.base import utcnow
from services.core.config import Settings
from services.notifications.notify import DELIVER_TASK, outbox_message, render_email, ring


def _waiting(session: Session, user_id: int | None = None, lock: bool = False):
    query = select(OutboxMessage).where(
        OutboxMessage.channel == "email",
        OutboxMessage.mode == "digest",
        OutboxMessage.status == "pending",
        OutboxMessage.recipient_id.is_not(None),
    )
    if user_id is not None:
        query = query.where(OutboxMessage.recipient_id == user_id).order_by(OutboxMessage.id)
    return query.with_for_update(skip_locked=True) if lock else query


def send_digests(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Write today's digest email for every user with batched mail; return how many."""
    now = now or utcnow()
    if now.hour < settings.digest_hour:
        return 0
    day = now.date().isoformat()
    user_ids = sorted(
        {
            uid
            for uid in session.scalars(
                _waiting(session).with_only_columns(OutboxMessage.recipient_id).distinct()
            )
            if uid is not None
        }
    )
    written = 0
    for user_id in user_ids:
        key = f"digest:{user_id}:{day}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue
        rows = list(session.scalars(_waiting(session, user_id, lock=True)))
        user = session.get(User, user_id)
        if not rows or user is None:
            continue
        content = render_email("digest", recipient=user, items=rows, day=day)
        payload = {"items": [r.id for r in rows]}
        digest = outbox_message(user, "digest", content, payload=payload, dedupe_key=key)
        try:
            with session.begin_nested():
                session.add(digest)
                session.flush()
        except IntegrityError:
            continue  # another run wrote today's digest for this user first
        for row in rows:
            row.status = "digested"
            row.digest_id = digest.id
        session.flush()
        ring(session, DELIVER_TASK, digest.id)
        written += 1
    return written

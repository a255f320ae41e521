"""Helpers for the work-queue tests: find a queue on a dashboard, the titles it lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

import models
from services.worklists.items import Dashboard, Queue


def queue(board: Dashboard, key: str) -> Queue:
    found = [q for s in board.sections for q in s.queues if q.key == key]
    assert found, f"no queue {key} in {[s.key for s in board.sections]}"
    return found[0]


def titles(q: Queue, group: str | None = None) -> list[str]:
    return [i.title for g in q.groups if group is None or g.label == group for i in g.items]


def sections(board: Dashboard) -> list[str]:
    return [s.key for s in board.sections]


def match(
    db: Session,
    topic: models.Topic,
    by: models.User,
    status: str = "done",
    finished_days_ago: float | None = 1,
    **fields: Any,
) -> models.MatchRequest:
    """A match request row as the worker leaves it (the engine is tested elsewhere)."""
    now = datetime.now(UTC)
    finished = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
    req = models.MatchRequest(
        topic_id=topic.id,
        requested_by_id=by.id,
        params={"size": 2},
        input_hash=f"hash-{topic.id}-{status}-{finished_days_ago}-{len(fields)}",
        status=status,
        progress=100,
        finished_at=finished,
        **fields,
    )
    db.add(req)
    db.flush()
    return req


def invitation(
    db: Session,
    req: models.MatchRequest,
    org: models.Organisation,
    status: str = "sent",
    expires_in_days: float | None = 10,
    **member_fields: Any,
) -> models.Invitation:
    """A seat of ``org`` in ``req`` and its invitation in ``status``."""
    now = datetime.now(UTC)
    member_status = {"sent": "invited", "declined": "declined", "expired": "declined"}.get(
        status, "accepted"
    )
    member = models.SuggestedMember(
        request_id=req.id,
        organisation_id=org.id,
        rank=1,
        score=0.5,
        status=member_status,
        **member_fields,
    )
    db.add(member)
    db.flush()
    inv = models.Invitation(
        request_id=req.id,
        member_id=member.id,
        organisation_id=org.id,
        status=status,
        expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
        responded_at=None if status == "sent" else now - timedelta(days=2),
    )
    db.add(inv)
    db.flush()
    return inv

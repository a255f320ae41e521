"""A topic's history in words: proposal, edits, lifecycle steps and call changes.

Lines come from the audit log (edits, call changes; reviewer assignments, overrides and
deadlines have their own list, for the programme office only: ``review_assignments``) and
from the topic's transitions, merged oldest first; see ``services.core.history``.
Comments, reviews and expressions of interest have their own pages and rules, so they are
not repeated here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from models import AuditEntry, Topic, User
from services.core import history
from services.topics import lifecycle, review_assignments
from services.topics.revision_diff import changed_fields

SHOWN = ("topic.create", "topic.update", "topic.call_added", "topic.call_removed")

# Built once: a topic's page reads it on every request, with the reviewer assignments'
# entries (``review_assignments.assignment_history``): one read for both lists.
_ENTRIES = (
    select(AuditEntry)
    .where(
        AuditEntry.object_type == "topics",
        AuditEntry.object_id == bindparam("topic_id", type_=Integer),
        AuditEntry.action.in_(SHOWN + review_assignments.ACTIONS),
    )
    .order_by(AuditEntry.at, AuditEntry.id)
)


def topic_audit(session: Session, topic_id: int) -> list[AuditEntry]:
    """The audit entries a topic's page shows: its history's and its reviewer
    assignments', oldest first (each list takes its own actions)."""
    return list(session.scalars(_ENTRIES, {"topic_id": topic_id}))


def _edit(details: dict[str, Any]) -> list[str]:
    """The labels of the fields an edit really changed (equal numbers are no change)."""
    changes = details.get("changes") or {}
    before = {k: v.get("old") for k, v in changes.items() if isinstance(v, dict)}
    after = {k: v.get("new") for k, v in changes.items() if isinstance(v, dict)}
    return [f"Changed: {', '.join(changed_fields(before, after)) or 'nothing'}"]


def topic_history(
    session: Session, viewer: User | None, topic: Topic, audit: list[AuditEntry] | None = None
) -> list[history.HistoryLine]:
    """The topic's history in words, oldest first; ``audit``: its ``topic_audit``, if read."""
    zone = topic.programme.timezone
    audit = topic_audit(session, topic.id) if audit is None else audit
    entries = [e for e in audit if e.action in SHOWN]
    lines = history.render(session, viewer, entries, zone, summaries={"topic.update": _edit})
    steps = lifecycle.history(session, topic)
    people = history.people(session, [t.actor_id for t in steps] + [topic.created_by_id])
    if not any(e.action == "topic.create" for e in entries):  # made before the audit existed
        creator = people.get(topic.created_by_id or 0)
        actor = history.actor_label(viewer, creator) if creator else "Someone"
        lines.append(history.line(topic.created_at, zone, actor, "proposed the topic"))
    for step in steps:
        actor = history.actor_label(viewer, people.get(step.actor_id or 0))
        labels = lifecycle.STATE_LABELS
        phrase = f"moved the topic from {labels[step.from_state]} to {labels[step.to_state]}"
        details = [f"Comment: {step.comment}"] if step.comment.strip() else []
        lines.append(history.line(step.at, zone, actor, phrase, details))
    return sorted(lines, key=lambda line: line.at)

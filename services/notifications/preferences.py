"""Which events exist, and how each user wants email about each: immediately, in a daily
digest, or not at all. The in-app inbox always gets every notification; account mail
(invitation, password reset) is always immediate and cannot be switched off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import NotificationPreference, User
from models.notifications import PREFERENCE_MODES
from services.core import audit
from services.core.errors import InvalidInput, PermissionDenied

DEFAULT_MODE = "immediate"
MODE_LABELS = {"immediate": "Immediately", "digest": "Daily digest", "off": "Off (inbox only)"}

# (group, [(event, label)]) in the order the preferences page shows them.
EVENT_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Call topics",
        (
            ("topic.submitted", "A topic was submitted"),
            ("topic.state_changed", "A topic changed state"),
            ("topic.review_requested", "Your review is requested"),
            ("topic.review_reminder", "Your review is due soon"),
            ("topic.review_overdue", "A review is overdue"),
            ("topic.review_done", "A review was completed"),
            ("topic.comment", "A comment on a topic"),
            ("topic.interest", "An organisation expressed interest in a topic"),
            ("call.deadline_reminder", "Call deadline reminders"),
        ),
    ),
    (
        "Pledges",
        (
            ("pledge.submitted", "A pledge was submitted"),
            ("pledge.confirmed", "A pledge was confirmed"),
            ("pledge.rejected", "A pledge was rejected"),
            ("pledge.withdrawn", "A pledge was withdrawn"),
            ("envelope.threshold", "An envelope crossed a threshold"),
        ),
    ),
    (
        "Consortia",
        (
            ("match.ready", "Consortium suggestions are ready"),
            ("match.failed", "Consortium suggestions failed"),
            ("consortium.invitation", "An invitation to join a consortium"),
            ("invitation.accepted", "An invitation was accepted"),
            ("invitation.declined", "An invitation was declined"),
        ),
    ),
    (
        "Organisations",
        (
            ("join.requested", "Someone asks to join your organisation"),
            ("join.decided", "Your request to join an organisation was decided"),
        ),
    ),
)
EVENTS: dict[str, str] = {event: label for _, items in EVENT_GROUPS for event, label in items}
# Account mail is always sent at once, whatever the preferences say.
ALWAYS_IMMEDIATE = frozenset(
    {"account.invite", "account.reset", "account.verify", "account.exists"}
)


def modes_for(session: Session, users: Iterable[User], event: str) -> dict[int, str]:
    """The delivery mode of ``event`` for each user (one query for all of them)."""
    ids = [u.id for u in users]
    modes = dict.fromkeys(ids, DEFAULT_MODE)
    if event in ALWAYS_IMMEDIATE or not ids:
        return modes
    rows = session.execute(
        select(NotificationPreference.user_id, NotificationPreference.mode).where(
            NotificationPreference.event == event, NotificationPreference.user_id.in_(ids)
        )
    )
    modes.update({uid: mode for uid, mode in rows})
    return modes


def preferences_of(session: Session, user: User) -> dict[str, str]:
    """Every known event with the user's mode (default: immediate)."""
    chosen: dict[str, str] = dict(
        session.execute(
            select(NotificationPreference.event, NotificationPreference.mode).where(
                NotificationPreference.user_id == user.id
            )
        )
        .tuples()
        .all()
    )
    return {event: chosen.get(event, DEFAULT_MODE) for event in EVENTS}


def set_preferences(
    session: Session, actor: User, user: User, choices: Mapping[str, str]
) -> dict[str, str]:
    """Save the modes a user chose; unknown events or modes are refused, nothing saved."""
    if actor.id != user.id:
        raise PermissionDenied("You can only change your own notification settings.")
    errors = {
        event: [f"Choose one of: {', '.join(PREFERENCE_MODES)}."]
        for event, mode in choices.items()
        if event in EVENTS and mode not in PREFERENCE_MODES
    }
    unknown = sorted(set(choices) - set(EVENTS))
    if unknown:
        raise InvalidInput(f"Unknown kinds of notification: {', '.join(unknown)}.")
    if errors:
        raise InvalidInput("Some choices are not valid.", errors)
    existing = {
        p.event: p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    changed: dict[str, dict[str, str]] = {}
    for event, mode in choices.items():
        row = existing.get(event)
        old = row.mode if row is not None else DEFAULT_MODE
        if old == mode:
            continue
        changed[event] = {"old": old, "new": mode}
        if row is None:
            session.add(NotificationPreference(user_id=user.id, event=event, mode=mode))
        else:
            row.mode = mode
    if changed:
        audit.record(session, actor, "notifications.preferences", user, changes=changed)
    session.flush()
    return preferences_of(session, user)

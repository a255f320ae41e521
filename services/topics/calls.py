"""Calls of a programme: identifier, type and deadlines entered in the call's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, joinedload

from models import Call, Programme, Topic, User
from models.programmes import CALL_TYPES
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied


@dataclass
class CallInput:
    programme_id: int
    identifier: str
    title: str
    call_type: str
    timezone: str
    # Wall-clock times in ``timezone`` (naive); stored in UTC.
    stage1_local: datetime | None
    stage2_local: datetime | None


def to_utc(local: datetime | None, zone: str) -> datetime | None:
    """A naive wall-clock time in ``zone`` as an aware UTC datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(value: datetime | None, zone: str) -> datetime | None:
    """A stored UTC deadline as the naive wall-clock time of ``zone`` (for edit forms)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


DEADLINE_YEARS_AHEAD = 20


def _deadline_error(local: datetime | None, zone: str, stored: datetime | None) -> str | None:
    """A deadline lies in the future and at most DEADLINE_YEARS_AHEAD years ahead, both
    read on the call's own clock.

    Checked on the wall-clock time before any conversion (year 1 or 9999 would overflow when
    moved to UTC). A deadline kept unchanged on an edit stays valid once it has passed (the
    call ran), but a changed one must again lie ahead.
    """
    if local is None or (stored is not None and to_local(stored, zone) == local):
        return None
    now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    latest = now.date().replace(year=now.year + DEADLINE_YEARS_AHEAD, day=min(now.day, 28))
    if local <= now:
        shown = now.strftime("%d %b %Y %H:%M")
        return f"A deadline must be in the future (it is now {shown} in {zone})."
    if local.date() > latest:
        return f"Give a deadline within {DEADLINE_YEARS_AHEAD} years from today."
    return None


def _validate(session: Session, data: CallInput, call: Call | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if session.get(Programme, data.programme_id) is None:
        errors["programme_id"] = ["Choose a programme."]
    if not data.identifier.strip():
        errors["identifier"] = ["A call needs an identifier."]
    else:
        other = session.scalar(select(Call).where(Call.identifier == data.identifier.strip()))
        if other is not None and other is not call:
            errors["identifier"] = [f"Another call already has the identifier {data.identifier}."]
    if not data.title.strip():
        errors["title"] = ["A call needs a title."]
    if data.call_type not in CALL_TYPES:
        errors["call_type"] = ["Choose single-stage or two-stage."]
    try:
        ZoneInfo(data.timezone)
        if data.timezone not in available_timezones():
            raise ZoneInfoNotFoundError(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [f"{data.timezone!r} is not a known timezone (e.g. Europe/Brussels)."]
        return errors
    if data.call_type == "single_stage" and data.stage2_local is not None:
        errors["stage2_local"] = ["A single-stage call has only one deadline."]
    for name in ("stage1", "stage2"):
        stored = getattr(call, f"{name}_deadline") if call is not None else None
        problem = _deadline_error(getattr(data, f"{name}_local"), data.timezone, stored)
        if problem:
            errors[f"{name}_local"] = [problem]
    s1, s2 = data.stage1_local, data.stage2_local  # one zone: wall-clock order is the order
    if data.call_type == "two_stage" and s1 is None and s2 is not None:
        errors.setdefault("stage1_local", ["Give the stage 1 deadline before stage 2."])
    if s1 is not None and s2 is not None and s2 <= s1:
        errors.setdefault("stage2_local", []).append(
            "The stage 2 deadline must come after the stage 1 deadline."
        )
    return errors


def save_call(
    session: Session, ctx: RequestContext, data: CallInput, call: Call | None = None
) -> Call:
    """Create a call, or update ``call``; deadlines are converted from the call's timezone."""
    actor = ctx.user
    if not policies.can_manage_calls(actor):
        raise PermissionDenied("Only coordinators manage calls.")
    errors = _validate(session, data, call)
    if errors:
        raise InvalidInput("The call was not saved: check the marked fields.", errors)
    values = {
        "programme_id": data.programme_id,
        "identifier": data.identifier.strip(),
        "title": data.title.strip(),
        "call_type": data.call_type,
        "timezone": data.timezone,
        "stage1_deadline": to_utc(data.stage1_local, data.timezone),
        "stage2_deadline": to_utc(data.stage2_local, data.timezone),
    }
    if call is None:
        call = Call(**values)
        session.add(call)
        session.flush()
        audit.record(session, actor, "call.create", call, ip=ctx.client_ip, **values)
    else:
        changed = audit.changes(call, list(values), values)
        for name, value in values.items():
            setattr(call, name, value)
        session.flush()
        audit.record(session, actor, "call.update", call, ip=ctx.client_ip, changes=changed)
    return call


def get_call(session: Session, call_id: int, *, with_programme: bool = False) -> Call:
    """The call; ``with_programme`` brings its programme in the same statement (a call's
    page names it)."""
    options = [joinedload(Call.programme)] if with_programme else []
    call = session.get(Call, call_id, options=options)
    if call is None:
        raise NotFound("No such call.")
    return call


def listing() -> Select[tuple[Call]]:
    """Every call, for the API's cursor pages."""
    return select(Call)


def programmes(session: Session) -> list[Programme]:
    return list(session.scalars(select(Programme).order_by(Programme.code)))


def _topic_counts(user: User | None) -> Any:
    """Topics per call (``call_id``, ``n``): those ``user`` may see, or the published ones
    for visitors (None); a subquery to join to the calls."""
    clause = (
        policies.topic_visibility_clause(user)
        if user is not None
        else Topic.status.in_(policies.PUBLISHED_STATES)
    )
    return (
        select(Topic.call_id, func.count().label("n"))
        .where(Topic.call_id.is_not(None), clause)
        .group_by(Topic.call_id)
        .subquery()
    )


# What a list of calls shows of each call.
_CALL_COLUMNS = (
    Call.id,
    Call.identifier,
    Call.title,
    Call.call_type,
    Call.stage1_deadline,
    Call.stage2_deadline,
    Call.timezone,
)


def calls_by_deadline(session: Session, user: User | None) -> list[Row[Any]]:
    """Every call, the latest first stage deadline first (calls without one last), as rows
    of what the list shows with ``topics``, the number of its topics ``user`` may see:
    one statement."""
    counts = _topic_counts(user)
    query = (
        select(*_CALL_COLUMNS, func.coalesce(counts.c.n, 0).label("topics"))
        .outerjoin(counts, counts.c.call_id == Call.id)
        .order_by(Call.stage1_deadline.desc().nulls_last())
    )
    return list(session.execute(query))


def published_calls(session: Session) -> list[Row[Any]]:
    """The calls with published topics, by identifier, as rows of what the public list
    shows with ``topics``, their number of published topics: one statement."""
    counts = _topic_counts(None)
    query = (
        select(*_CALL_COLUMNS, counts.c.n.label("topics"))
        .join(counts, counts.c.call_id == Call.id)
        .order_by(Call.identifier)
    )
    return list(session.execute(query))


def public_topics(session: Session, call: Call) -> list[Row[Any]]:
    """The call's published topics by identifier (what visitors see): the columns a row of
    the call's page shows (id, identifier, title, status), not the topics' long texts."""
    return list(
        session.execute(
            select(Topic.id, Topic.identifier, Topic.title, Topic.status)
            .where(Topic.call_id == call.id, Topic.status.in_(policies.PUBLISHED_STATES))
            .order_by(Topic.identifier)
        )
    )

"""A programme's rules as settings an administrator edits: validated, audited, and taking
effect for new decisions only.

"New decisions only" holds because every decision records the rule values it used:
a confirmed pledge keeps its ``eu_match`` and ``from_envelope`` (computed at the matching
ratio of that day); a submitted review keeps the thresholds it was scored against
(``TopicReview.threshold_each/_total``; a topic's scores are judged by those of its first
submitted review); a match request keeps the consortium rules it was asked under
(``MatchRequest.min_consortium_size/min_countries``); a sent deadline reminder is a row;
a call keeps its own time zone. The partner envelope is a running cap, so it may not be
lowered below the EU matching already drawn from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Programme, User
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.core.money import MoneyError, parse_money
from services.pledges.rules import envelope_used

ACTION = "programme.settings"
SHARES = ("ikaa_max_share", "third_country_max_share", "min_contribution_share")
THRESHOLDS = {"threshold_each": 5, "stage1_threshold_each": 5, "threshold_total": 15}
MAX_CONSORTIUM_SIZE = 100
MAX_REMINDER_DAYS = 365
MAX_REMINDERS = 10

LABELS = {
    "threshold_each": "Threshold per criterion",
    "threshold_total": "Overall threshold",
    "stage1_threshold_each": "Stage 1 threshold per criterion",
    "matching_ratio": "EU matching ratio",
    "partner_envelope": "Partner envelope",
    "ikaa_max_share": "IKAA maximum share",
    "third_country_max_share": "Third-country maximum share",
    "min_contribution_share": "Minimum contribution share",
    "min_consortium_size": "Minimum consortium size",
    "min_countries": "Minimum number of countries",
    "reminder_days": "Deadline reminders (days before)",
    "review_days": "Days given for a review",
    "review_reminder_days": "Review reminders (days before)",
    "timezone": "Time zone",
}
REMINDER_LISTS = ("reminder_days", "review_reminder_days")
FIELDS = tuple(LABELS)


@dataclass
class RulesInput:
    """The rules as typed (strings): shares in percent, the envelope in euros."""

    threshold_each: str
    threshold_total: str
    stage1_threshold_each: str
    matching_ratio: str
    partner_envelope: str
    ikaa_max_share: str
    third_country_max_share: str
    min_contribution_share: str
    min_consortium_size: str
    min_countries: str
    reminder_days: str
    review_days: str
    review_reminder_days: str
    timezone: str

    @classmethod
    def of(cls, programme: Programme) -> RulesInput:
        """The programme's current rules, written as the form shows them."""
        return cls(**{name: display(name, getattr(programme, name)) for name in FIELDS})


class _Bad(ValueError):
    pass


def display(name: str, value: Any) -> str:
    """A stored rule value as typed on the page (shares as percent)."""
    if value is None:
        return ""
    if name in SHARES:
        return _plain(Decimal(value) * 100)
    if name == "partner_envelope":
        return f"{Decimal(value):,.2f}"
    if name in REMINDER_LISTS:
        return str(value).replace(",", ", ")
    if isinstance(value, Decimal | float):
        return _plain(Decimal(value))
    return str(value)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(raw: str, places: int, what: str) -> Decimal:
    text = raw.strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        raise _Bad(f"Enter {what} as a number such as {'1' if places == 0 else '0.5'}.")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern excludes it
        raise _Bad(f"Enter {what} as a number.") from exc
    if places == 0 and value != value.to_integral_value():
        raise _Bad("Enter a whole number.")
    if places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise _Bad(f"Use at most {places} decimals.")
    return value


def _threshold(raw: str, top: int) -> Decimal:
    value = _number(raw, 1, "a score")
    if value > top or value * 2 != int(value * 2):
        raise _Bad(f"Scores go from 0 to {top} in half points (e.g. 3 or 3.5).")
    return value.quantize(Decimal("0.1"))


def _share(raw: str) -> Decimal:
    value = _number(raw.strip().rstrip("%"), 2, "a percentage")
    if value > 100:
        raise _Bad("A share is a percentage from 0 to 100.")
    return (value / 100).quantize(Decimal("0.0001"))


def _ratio(raw: str) -> Decimal:
    value = _number(raw, 4, "the ratio")
    if not 0 < value <= 1:
        raise _Bad(
            "The EU matches at most one euro per euro contributed: give more than 0 and at "
            "most 1 (1 is 1:1)."
        )
    return value.quantize(Decimal("0.0001"))


def _whole(raw: str, low: int, high: int) -> int:
    value = int(_number(raw, 0, "a whole number"))
    if not low <= value <= high:
        raise _Bad(f"Give a whole number from {low} to {high}.")
    return value


def parse_reminder_days(raw: str) -> str:
    """'1, 7,14' -> '14,7,1': positive whole days, no repeats, largest first."""
    parts = [p.strip() for p in raw.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if any(not p.isdigit() or not p.isascii() for p in parts):
        raise _Bad("List whole numbers of days separated by commas, e.g. 14, 7, 1.")
    days = [int(p) for p in parts]
    if any(d < 1 or d > MAX_REMINDER_DAYS for d in days):
        raise _Bad(f"Each reminder is 1 to {MAX_REMINDER_DAYS} days before the deadline.")
    if len(set(days)) != len(days):
        raise _Bad("Each number of days once.")
    if len(days) > MAX_REMINDERS:
        raise _Bad(f"At most {MAX_REMINDERS} reminders.")
    return ",".join(str(d) for d in sorted(days, reverse=True))


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(raw: str) -> str:
    zone = raw.strip()
    if zone not in _zones():
        raise _Bad(f"{zone or 'An empty name'} is not an IANA time zone (e.g. Europe/Brussels).")
    return zone


def parse(session: Session, programme: Programme, data: RulesInput) -> dict[str, Any]:
    """The new rule values, or InvalidInput with an error for every field that is wrong."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    parsers: dict[str, Any] = {
        **{name: (lambda raw, top=top: _threshold(raw, top)) for name, top in THRESHOLDS.items()},
        **dict.fromkeys(SHARES, _share),
        "matching_ratio": _ratio,
        "min_consortium_size": lambda raw: _whole(raw, 3, MAX_CONSORTIUM_SIZE),
        "min_countries": lambda raw: _whole(raw, 1, MAX_CONSORTIUM_SIZE),
        "reminder_days": parse_reminder_days,
        "review_days": lambda raw: _whole(raw, 1, MAX_REMINDER_DAYS),
        "review_reminder_days": parse_reminder_days,
        "timezone": _zone,
    }
    for name, parser in parsers.items():
        try:
            values[name] = parser(getattr(data, name) or "")
        except _Bad as exc:
            errors[name] = [str(exc)]
    try:
        values["partner_envelope"] = parse_money(data.partner_envelope, allow_zero=True)
    except MoneyError as exc:
        errors["partner_envelope"] = [str(exc)]
    else:
        used = envelope_used(session, programme.id)
        if values["partner_envelope"] < used:
            errors["partner_envelope"] = [
                f"EUR {used:,.2f} of EU matching is already drawn from the envelope by "
                "confirmed pledges: the envelope cannot be smaller."
            ]
    size, countries = values.get("min_consortium_size"), values.get("min_countries")
    if size is not None and countries is not None and countries > size:
        errors["min_countries"] = [
            f"Each member is in a different country: at most {size}, the minimum size."
        ]
    if errors:
        raise InvalidInput("The settings were not saved: check the marked fields.", errors)
    return values


def get_programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    if not policies.can_edit_programme_settings(actor):
        raise PermissionDenied("Programme settings are for administrators.")
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def update_rules(
    session: Session, ctx: RequestContext, programme_id: int, data: RulesInput
) -> dict[str, dict[str, Any]]:
    """Set a programme's rules; returns what changed (old and new), also in the audit log."""
    programme = get_programme(session, ctx.actor, programme_id)
    values = parse(session, programme, data)
    changed = audit.changes(programme, list(FIELDS), values)
    if changed:
        for name in changed:
            setattr(programme, name, values[name])
        audit.record(session, ctx.actor, ACTION, programme, ip=ctx.client_ip, changes=changed)
    session.flush()
    return changed


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    label: str
    old: str
    new: str


def history(session: Session, actor: User | None, programme: Programme) -> list[Change]:
    """Who changed which rule from what to what, newest first."""
    if not policies.can_edit_programme_settings(actor):
        raise PermissionDenied("Programme settings are for administrators.")
    rows = session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(
            AuditEntry.object_type == Programme.__tablename__,
            AuditEntry.object_id == programme.id,
            AuditEntry.action == ACTION,
        )
        .order_by(AuditEntry.id.desc())
        .limit(200)
    ).all()
    out = []
    for entry, name in rows:
        for field, change in (entry.details.get("changes") or {}).items():
            out.append(
                Change(
                    entry.at,
                    name or "(system)",
                    LABELS.get(field, field),
                    _shown(field, change.get("old")),
                    _shown(field, change.get("new")),
                )
            )
    return out


def _shown(name: str, value: Any) -> str:
    """An audited value in words: shares with %, the envelope in EUR."""
    if value is None:
        return "—"
    if name in SHARES:
        return f"{display(name, Decimal(str(value)))} %"
    if name == "partner_envelope":
        return f"EUR {display(name, Decimal(str(value)))}"
    if name in THRESHOLDS or name == "matching_ratio":
        return display(name, Decimal(str(value)))
    return display(name, value) or "(none)"

"""History in words: audit entries (and topic transitions) as sentences with actor and time.

One renderer for every history page (topics, pledges, partner applications, consortia).
An action key maps to a phrase ("confirmed the pledge"); changed fields are listed by
label with money, booleans and states in words; fields whose value did not change are
left out; an unknown key still reads as words. The actor is named only as the viewer may
see them (``policies.can_see_name``), otherwise described by their role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import AuditEntry, Organisation, User
from services import policies

# What an action did, completing "<actor> ...". "{org}" is the organisation of the entry.
PHRASES = {
    "topic.create": "proposed the topic",
    "topic.update": "edited the topic",
    "topic.call_added": "added the topic to call {call}",
    "topic.call_removed": "removed the topic from call {call}",
    "topic.review_assign": "assigned a reviewer",
    "pledge.created": "created the pledge",
    "pledge.updated": "edited the pledge",
    "pledge.submitted": "submitted the pledge",
    "pledge.confirmed": "confirmed the pledge",
    "pledge.rejected": "rejected the pledge",
    "pledge.withdrawn": "withdrew the pledge",
    "pledge.rule_warnings": "was shown the programme's warnings on confirming the pledge",
    "partner_application.created": "applied for {org}",
    "partner_application.approved": "approved the application",
    "partner_application.rejected": "rejected the application",
    "match.requested": "asked for consortium suggestions",
    "match.done": "suggested a consortium",
    "match.cancelled": "cancelled the suggestion",
    "match.reoptimised": "refilled the seats",
    "match.finalised": "finalised the consortium and invited its members",
    "match.closed": "closed the consortium",
    "match.member_added": "added {org}",
    "match.member_lock": "locked {org}",
    "match.member_unlock": "unlocked {org}",
    "match.member_remove": "removed {org}",
    "match.member_restore": "restored {org}",
    "match.member_swapped": "gave the seat of {old} to {new}",
    "consortium.invited": "invited {org}",
    "consortium.invitation.accepted": "accepted the invitation for {org}",
    "consortium.invitation.declined": "declined the invitation for {org}",
    "consortium.invitation.expired": "marked the invitation of {org} as expired",
    "consortium.invitee_joined": "joined {org} through its invitation",
}

# Field labels, money fields and booleans of every history (one vocabulary for all pages).
LABELS = {
    "title": "Title",
    "status": "Status",
    "kind": "Kind",
    "amount": "Amount",
    "personnel": "Personnel",
    "consumables": "Consumables",
    "equipment": "Equipment",
    "samples": "Samples and compounds",
    "subcontracting": "Subcontracting",
    "other": "Other costs",
    "third_country_costs": "Costs in non-associated third countries",
    "contributing_entity": "Contributing entity",
    "start_year": "Start year",
    "end_year": "End year",
    "note": "Note",
    "eu_match": "EU match",
    "from_envelope": "Matched from the partner envelope",
    "partner_type": "Partner type",
    "members": "Members",
    "size": "Consortium size",
    "people": "People invited",
}
MONEY = {
    "amount",
    "personnel",
    "consumables",
    "equipment",
    "samples",
    "subcontracting",
    "other",
    "third_country_costs",
    "eu_match",
    "eu_contribution",
    "industry_contribution",
}
WORDS = {
    True: "yes",
    False: "no",
    "ikop": "in-kind to operational activities",
    "fc": "financial contribution (cash)",
    "ikaa": "in-kind to additional activities",
    "associated": "associated partner",
    "contributing": "contributing partner",
}
# Free texts of an entry, shown after the changes.
TEXTS = {"comment": "Comment", "reason": "Reason", "note": "Note"}


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    when: str  # "2 Dec 2026 14:05 (Europe/Brussels)"
    actor: str
    sentence: str  # "Maria Rossi confirmed the pledge"
    details: list[str] = field(default_factory=list)


def when(at: datetime, zone: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y %H:%M} ({zone})"


def actor_label(viewer: User | None, actor: User | None) -> str:
    """The actor's name if the viewer may see it, else their role in words."""
    if actor is None:
        return "The system"
    if viewer is not None and actor.id == viewer.id:
        return "You"
    if policies.can_see_name(viewer, actor):
        return actor.name
    if policies.is_sgg_member(actor):
        return "An SGG member"
    if policies.is_partner_rep(actor):
        return "A partner representative"
    if policies.is_applicant(actor):
        return "An applicant"
    return "A user"


def value_words(name: str, value: Any, states: Mapping[str, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if name in MONEY:
        try:
            return f"EUR {Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if name == "status" and states and value in states:
        return states[value]
    if isinstance(value, bool) or value in WORDS:
        return WORDS[value]
    return str(value)


def _same(name: str, old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if name in MONEY and old is not None and new is not None:
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    return bool(old == new)


def change_lines(changes: Mapping[str, Any], states: Mapping[str, str] | None = None) -> list[str]:
    """'Label: old → new' for every field that changed; a first value reads 'Label: new'."""
    out = []
    for name, change in changes.items():
        if not isinstance(change, Mapping):
            continue
        old, new = change.get("old"), change.get("new")
        if _same(name, old, new) or (name == "status" and old is None):
            continue
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        if old in (None, "") and name in MONEY and _same(name, 0, new):
            continue  # a first amount of zero says nothing
        if old in (None, ""):
            out.append(f"{label}: {value_words(name, new, states)}")
        else:
            out.append(
                f"{label}: {value_words(name, old, states)} → {value_words(name, new, states)}"
            )
    return out


def _phrase(action: str, details: Mapping[str, Any], orgs: Mapping[int, str]) -> str:
    def org(key: str) -> str:
        value = details.get(key)
        return orgs.get(value, "an organisation") if isinstance(value, int) else "an organisation"

    template = PHRASES.get(action)
    if template is None:  # an unknown key still reads as words
        words = action.rsplit(".", 1)[-1].replace("_", " ")
        return f"recorded “{words}”"
    return template.format(
        org=details.get("organisation") or org("organisation_id"),
        old=org("old"),
        new=org("new"),
        call=details.get("call") or "",
    )


def _details(entry: AuditEntry, states: Mapping[str, str] | None) -> list[str]:
    details = entry.details or {}
    out = change_lines(details.get("changes") or {}, states)
    if entry.action.startswith("match.") and isinstance(details.get("members"), int):
        out.append(f"{details['members']} organisations")
    for key, label in TEXTS.items():
        text = details.get(key)
        if isinstance(text, str) and text.strip():
            out.append(f"{label}: {text.strip()}")
    for warning in details.get("warnings") or []:
        out.append(f"Warning: {warning}")
    return out


def people(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    """The users behind ``ids`` with their memberships (what ``actor_label`` reads)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.scalars(
        select(User)
        .where(User.id.in_(wanted))
        .options(selectinload(User.sgg_memberships), selectinload(User.org_memberships))
    )
    return {u.id: u for u in rows}


def _organisations(session: Session, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {
        v
        for e in entries
        for k, v in (e.details or {}).items()
        if k in ("organisation_id", "old", "new") and isinstance(v, int)
    }
    if not ids:
        return {}
    rows = session.execute(select(Organisation).where(Organisation.id.in_(ids))).scalars()
    return {o.id: o.display_name for o in rows}


def render(
    session: Session,
    viewer: User | None,
    entries: Iterable[AuditEntry],
    zone: str,
    states: Mapping[str, str] | None = None,
    summaries: Mapping[str, Callable[[dict[str, Any]], list[str]]] | None = None,
) -> list[HistoryLine]:
    """Audit entries as sentences, in the order given. ``summaries`` replaces the detail
    lines of an action (e.g. a topic edit names its changed fields, not their texts)."""
    entries = list(entries)
    users = people(session, (e.actor_id for e in entries))
    orgs = _organisations(session, entries)
    lines = []
    for e in entries:
        actor = actor_label(viewer, users.get(e.actor_id) if e.actor_id else None)
        lines.append(
            HistoryLine(
                at=e.at,
                when=when(e.at, zone),
                actor=actor,
                sentence=f"{actor} {_phrase(e.action, e.details or {}, orgs)}",
                details=(
                    summaries[e.action](e.details or {})
                    if summaries and e.action in summaries
                    else _details(e, states)
                ),
            )
        )
    return lines


def line(
    at: datetime, zone: str, actor: str, phrase: str, details: list[str] | None = None
) -> HistoryLine:
    """A line built by an aggregate's own history (e.g. a topic's transitions)."""
    return HistoryLine(at, when(at, zone), actor, f"{actor} {phrase}", details or [])

"""Conflicts of interest a reviewer has with a topic, found from the data (not declared).

A programme reviewer is conflicted with a topic when they
- act for an organisation of the topic's pre-defined industry consortium, or for one that
  pledges to the topic (a draft, submitted or confirmed pledge);
- are a member of the topic's SGG, or wrote the topic (proposed it or saved a revision);
- act for the same organisation as any of the people above.

Each conflict carries its reason in words, shown to the coordinator before assignment.
The parties of a topic are read once (``TopicParties``), then any number of candidates
are checked against them with one query for their memberships.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Organisation,
    OrganisationMembership,
    Pledge,
    SggMembership,
    Topic,
    TopicIndustryPartner,
    TopicRevision,
    User,
)

# Pledges that show an organisation's stake in the topic (not rejected or withdrawn).
PLEDGING_STATES = ("draft", "submitted", "confirmed")
KINDS = ("industry_partner", "pledging", "sgg_member", "author", "same_organisation")
ROLE_WORDS = {"partner_rep": "Partner representative of", "applicant": "Acts for"}
MAX_NAMED = 3  # people named in a same-organisation reason


@dataclass(frozen=True)
class ConflictReason:
    kind: str  # one of KINDS
    text: str


@dataclass
class TopicParties:
    """Who has a stake in a topic, and the organisations those people act for."""

    topic: Topic
    industry: dict[int, str] = field(default_factory=dict)  # organisation id -> name
    pledging: dict[int, str] = field(default_factory=dict)
    sgg_members: set[int] = field(default_factory=set)
    authors: dict[int, list[int]] = field(default_factory=dict)  # user -> revision numbers
    # organisation id -> [(user id, name, why they count)], for the same-organisation rule
    people_at: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)
    org_names: dict[int, str] = field(default_factory=dict)


def _org_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    rows = session.execute(
        select(Organisation.id, Organisation.short_name, Organisation.legal_name).where(
            Organisation.id.in_(set(ids))
        )
    )
    return {r.id: r.short_name or r.legal_name for r in rows}


def parties(session: Session, topic: Topic) -> TopicParties:
    """Read the topic's stakeholders once (a handful of queries)."""
    found = TopicParties(topic)
    industry_ids = session.scalars(
        select(TopicIndustryPartner.organisation_id).where(
            TopicIndustryPartner.topic_id == topic.id
        )
    ).all()
    pledging_ids = session.scalars(
        select(Pledge.organisation_id).where(
            Pledge.topic_id == topic.id, Pledge.status.in_(PLEDGING_STATES)
        )
    ).all()
    found.sgg_members = set(
        session.scalars(select(SggMembership.user_id).where(SggMembership.sgg_id == topic.sgg_id))
    )
    for author_id, number in session.execute(
        select(TopicRevision.author_id, TopicRevision.number)
        .where(TopicRevision.topic_id == topic.id, TopicRevision.author_id.is_not(None))
        .order_by(TopicRevision.number)
    ):
        found.authors.setdefault(author_id, []).append(number)
    if topic.created_by_id is not None:
        found.authors.setdefault(topic.created_by_id, [])
    stake_orgs = {*industry_ids, *pledging_ids}
    reps = session.execute(
        select(OrganisationMembership.user_id, OrganisationMembership.organisation_id).where(
            OrganisationMembership.organisation_id.in_(stake_orgs),
            OrganisationMembership.role == "partner_rep",
        )
    ).all()
    stake_people = {r.user_id for r in reps} | found.sgg_members | set(found.authors)
    memberships = session.execute(
        select(OrganisationMembership.user_id, OrganisationMembership.organisation_id, User.name)
        .join(User, User.id == OrganisationMembership.user_id)
        .where(OrganisationMembership.user_id.in_(stake_people))
        .distinct()
    ).all()
    found.org_names = _org_names(session, {*stake_orgs, *(m.organisation_id for m in memberships)})
    found.industry = {i: found.org_names.get(i, "?") for i in industry_ids}
    found.pledging = {
        i: found.org_names.get(i, "?") for i in pledging_ids if i not in found.industry
    }
    rep_orgs: dict[int, list[int]] = defaultdict(list)
    for r in reps:
        rep_orgs[r.user_id].append(r.organisation_id)
    for m in memberships:
        why = _stake_of(found, m.user_id, rep_orgs.get(m.user_id, []))
        found.people_at.setdefault(m.organisation_id, []).append((m.user_id, m.name, why))
    return found


def _stake_of(found: TopicParties, user_id: int, rep_of: list[int]) -> str:
    """Why a stakeholder counts, in a few words (for the same-organisation reason)."""
    if user_id in found.sgg_members:
        return "a member of this topic's SGG"
    if user_id in found.authors:
        return "an author of this topic"
    org = found.org_names.get(rep_of[0], "?") if rep_of else "?"
    side = "in its industry consortium" if rep_of and rep_of[0] in found.industry else "pledging"
    return f"representative of {org}, {side}"


def _names(people: list[tuple[int, str, str]]) -> str:
    named = [f"{name} ({why})" for _, name, why in people[:MAX_NAMED]]
    more = len(people) - MAX_NAMED
    if more > 0:
        named.append(f"{more} other{'s' if more != 1 else ''}")
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _revisions(numbers: list[int]) -> str:
    if not numbers:
        return " (proposed it)"
    label = "revision" if len(numbers) == 1 else "revisions"
    listed = ", ".join(str(n) for n in numbers)
    return f" ({label} {listed})"


def reasons(
    found: TopicParties, user_id: int, memberships: list[tuple[int, str]]
) -> list[ConflictReason]:
    """The conflicts of one person, given their (organisation id, role) memberships."""
    out: list[ConflictReason] = []
    seen_orgs: set[int] = set()
    # A representative is named as such even if they also act for it as an applicant.
    for org_id, role in sorted(memberships, key=lambda m: m[1] != "partner_rep"):
        if org_id in seen_orgs:
            continue
        words = ROLE_WORDS.get(role, "Acts for")
        if org_id in found.industry:
            text = f"{words} {found.industry[org_id]}, in this topic's industry consortium."
            out.append(ConflictReason("industry_partner", text))
            seen_orgs.add(org_id)
        elif org_id in found.pledging:
            text = f"{words} {found.pledging[org_id]}, which pledges to this topic."
            out.append(ConflictReason("pledging", text))
            seen_orgs.add(org_id)
    if user_id in found.sgg_members:
        sgg = found.topic.sgg.name
        out.append(ConflictReason("sgg_member", f"Member of {sgg}, this topic's SGG."))
    if user_id in found.authors:
        text = "Wrote this topic" + _revisions(found.authors[user_id]) + "."
        out.append(ConflictReason("author", text))
    for org_id in dict.fromkeys(org for org, _ in memberships):
        if org_id in seen_orgs:
            continue
        others = [p for p in found.people_at.get(org_id, []) if p[0] != user_id]
        if others:
            org = found.org_names.get(org_id, "?")
            text = f"Acts for {org}, as does {_names(others)}."
            out.append(ConflictReason("same_organisation", text))
    return out


def conflicts_for(
    session: Session, topic: Topic, user_ids: Iterable[int], found: TopicParties | None = None
) -> dict[int, list[ConflictReason]]:
    """The detected conflicts of each of ``user_ids`` with ``topic`` ([] when none)."""
    ids = set(user_ids)
    found = found or parties(session, topic)
    held: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for m in session.execute(
        select(
            OrganisationMembership.user_id,
            OrganisationMembership.organisation_id,
            OrganisationMembership.role,
        )
        .where(OrganisationMembership.user_id.in_(ids))
        .order_by(OrganisationMembership.organisation_id, OrganisationMembership.role)
    ):
        held[m.user_id].append((m.organisation_id, m.role))
    missing = {org for ms in held.values() for org, _ in ms} - set(found.org_names)
    found.org_names.update(_org_names(session, missing))
    return {uid: reasons(found, uid, held.get(uid, [])) for uid in ids}


def conflicts_of(session: Session, topic: Topic, user_id: int) -> list[ConflictReason]:
    return conflicts_for(session, topic, [user_id])[user_id]

"""Funding figures per topic, partner, programme and scientific area.

Every total is summed by the database in whole cents (:func:`services.money.cents_sum`)
and handled as Decimal. "Pledged" means submitted or confirmed; drafts, rejected and
withdrawn pledges are shown by state but count in no total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models import Organisation, Pledge, Programme, ScientificArea, Topic, User
from models.pledges import PLEDGE_KINDS, PLEDGE_STATES
from services import policies
from services.core.errors import NotFound, PermissionDenied
from services.core.money import cents_sum, from_cents
from services.pledges.rules import (
    Share,
    contribution_share,
    envelope_used,
    ikaa_share,
    third_country_share,
)

LIVE = ("submitted", "confirmed")
ZERO = Decimal("0.00")


def get_programme(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def funded_topic(session: Session, user: User, topic_id: int) -> Topic:
    """A topic whose funding ``user`` may see; a hidden one is NotFound (no hint it exists)."""
    topic = session.get(Topic, topic_id)
    if topic is None or not policies.can_view_topic(user, topic):
        raise NotFound("There is no such topic, or you may not see it.")
    if not policies.can_view_topic_funding(user, topic):
        raise PermissionDenied("Topic funding is for the programme office and the topic's SGG.")
    return topic


def funded_partner(session: Session, user: User, organisation_id: int) -> Organisation:
    """An organisation whose pledges ``user`` may see summed up."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    if not policies.can_view_partner_funding(user, org):
        raise PermissionDenied(
            "Only the programme office and the organisation's representatives see this."
        )
    return org


# Lists of pledges show their topic's title: one query for all of them, without the texts.
TOPIC_TITLES = selectinload(Pledge.topic).load_only(Topic.id, Topic.title, Topic.status)


def decision_queue(session: Session) -> list[Pledge]:
    """Submitted pledges waiting for a decision, the longest waiting first."""
    return list(
        session.scalars(
            select(Pledge)
            .where(Pledge.status == "submitted")
            .order_by(Pledge.updated_at)
            .options(TOPIC_TITLES, selectinload(Pledge.organisation))
        )
    )


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole else None


@dataclass
class PartnerPledges:
    """One partner's pledges to a topic, as the viewer may see them."""

    organisation: Organisation
    pledges: list[Pledge]

    @property
    def pledged(self) -> Decimal:
        return sum((p.amount for p in self.pledges if p.status in LIVE), ZERO)

    @property
    def confirmed(self) -> Decimal:
        return sum((p.amount for p in self.pledges if p.status == "confirmed"), ZERO)


@dataclass
class TopicFunding:
    topic_id: int
    title: str
    eu_budget: Decimal | None
    industry_budget: Decimal | None
    by_kind: dict[str, Decimal]  # pledged (submitted + confirmed)
    confirmed_by_kind: dict[str, Decimal]
    by_state: dict[str, Decimal]
    confirmed: Decimal
    eu_match: Decimal
    share: Share  # confirmed contributions / total cost, against the programme's minimum
    # Who pledged what: only the pledges the viewer may open (policies.can_view_pledge);
    # ``hidden_pledges``: how many others there are (their sums are in the totals above).
    by_partner: list[PartnerPledges] = field(default_factory=list)
    hidden_pledges: int = 0

    @property
    def pledged(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    @property
    def gap(self) -> Decimal | None:
        """Indicative industry contribution not yet covered by confirmed pledges
        (negative when pledges exceed it); None when the topic has no indicative budget."""
        if self.industry_budget is None:
            return None
        return self.industry_budget - self.confirmed

    @property
    def meets_share(self) -> bool | None:
        return None if self.share.value is None else self.share.value >= self.share.limit


def topic_funding(session: Session, topic: Topic, viewer: User | None = None) -> TopicFunding:
    """The topic's totals; with ``viewer``, also the pledges by partner that they may see."""
    rows = session.execute(
        select(Pledge.kind, Pledge.status, cents_sum(Pledge.amount), cents_sum(Pledge.eu_match))
        .where(Pledge.topic_id == topic.id)
        .group_by(Pledge.kind, Pledge.status)
    ).all()
    by_kind = dict.fromkeys(PLEDGE_KINDS, ZERO)
    confirmed_by_kind = dict.fromkeys(PLEDGE_KINDS, ZERO)
    by_state = dict.fromkeys(PLEDGE_STATES, ZERO)
    eu_match = ZERO
    for kind, status, amount, match in rows:
        amount = from_cents(amount)
        by_state[status] += amount
        if status in LIVE:
            by_kind[kind] += amount
        if status == "confirmed":
            confirmed_by_kind[kind] += amount
            eu_match += from_cents(match)
    return TopicFunding(
        topic_id=topic.id,
        title=topic.title,
        eu_budget=topic.eu_contribution,
        industry_budget=topic.industry_contribution,
        by_kind=by_kind,
        confirmed_by_kind=confirmed_by_kind,
        by_state=by_state,
        confirmed=by_state["confirmed"],
        eu_match=eu_match,
        share=contribution_share(topic, by_state["confirmed"]),
        **(_by_partner(session, topic, viewer) if viewer is not None else {}),
    )


def _by_partner(session: Session, topic: Topic, viewer: User) -> dict:
    visible = list(
        session.scalars(
            select(Pledge)
            .where(Pledge.topic_id == topic.id, policies.pledge_visibility_clause(viewer))
            .options(selectinload(Pledge.organisation))
            .order_by(Pledge.id)
        )
    )
    total = session.scalar(select(func.count(Pledge.id)).where(Pledge.topic_id == topic.id))
    partners: dict[int, PartnerPledges] = {}
    for p in visible:
        partners.setdefault(p.organisation_id, PartnerPledges(p.organisation, [])).pledges.append(p)
    ordered = sorted(partners.values(), key=lambda g: g.organisation.display_name.casefold())
    return {"by_partner": ordered, "hidden_pledges": (total or 0) - len(visible)}


@dataclass
class PartnerFunding:
    organisation: Organisation
    pledges: list[Pledge]
    by_state: dict[str, Decimal]
    eu_match: Decimal

    @property
    def confirmed(self) -> Decimal:
        return self.by_state["confirmed"]


def partner_funding(session: Session, organisation: Organisation) -> PartnerFunding:
    """An organisation's commitments across topics."""
    pledges = list(
        session.scalars(
            select(Pledge)
            .where(Pledge.organisation_id == organisation.id)
            .order_by(Pledge.topic_id, Pledge.id)
            .options(TOPIC_TITLES)
        )
    )
    rows = session.execute(
        select(Pledge.status, cents_sum(Pledge.amount), cents_sum(Pledge.eu_match))
        .where(Pledge.organisation_id == organisation.id)
        .group_by(Pledge.status)
    ).all()
    by_state = dict.fromkeys(PLEDGE_STATES, ZERO)
    eu_match = ZERO
    for status, amount, match in rows:
        by_state[status] = from_cents(amount)
        if status == "confirmed":
            eu_match = from_cents(match)
    return PartnerFunding(organisation, pledges, by_state, eu_match)


@dataclass
class TopicLine:
    topic_id: int
    title: str
    status: str
    area: str
    eu_budget: Decimal | None
    industry_budget: Decimal | None
    pledged: Decimal
    confirmed: Decimal
    eu_match: Decimal


@dataclass
class ProgrammeFunding:
    programme: Programme
    pledged_by_kind: dict[str, Decimal]
    confirmed_by_kind: dict[str, Decimal]
    eu_match_members: Decimal
    envelope_used: Decimal
    ikaa: Share
    third_country: Share
    topics: list[TopicLine] = field(default_factory=list)

    @property
    def confirmed(self) -> Decimal:
        return sum(self.confirmed_by_kind.values(), ZERO)

    @property
    def pledged(self) -> Decimal:
        return sum(self.pledged_by_kind.values(), ZERO)

    @property
    def eu_match(self) -> Decimal:
        return self.eu_match_members + self.envelope_used

    @property
    def envelope_remaining(self) -> Decimal:
        return self.programme.partner_envelope - self.envelope_used

    @property
    def envelope_share(self) -> Decimal | None:
        return _share(self.envelope_used, self.programme.partner_envelope)


def programme_funding(session: Session, programme: Programme) -> ProgrammeFunding:
    in_programme = Topic.programme_id == programme.id
    kinds = session.execute(
        select(Pledge.kind, Pledge.status, cents_sum(Pledge.amount))
        .join(Topic, Topic.id == Pledge.topic_id)
        .where(in_programme, Pledge.status.in_(LIVE))
        .group_by(Pledge.kind, Pledge.status)
    ).all()
    pledged = dict.fromkeys(PLEDGE_KINDS, ZERO)
    confirmed = dict.fromkeys(PLEDGE_KINDS, ZERO)
    for kind, status, amount in kinds:
        pledged[kind] += from_cents(amount)
        if status == "confirmed":
            confirmed[kind] += from_cents(amount)
    members_match = from_cents(
        session.scalar(
            select(cents_sum(Pledge.eu_match))
            .join(Topic, Topic.id == Pledge.topic_id)
            .where(in_programme, Pledge.status == "confirmed", Pledge.from_envelope.is_(False))
        )
    )
    return ProgrammeFunding(
        programme=programme,
        pledged_by_kind=pledged,
        confirmed_by_kind=confirmed,
        eu_match_members=members_match,
        envelope_used=envelope_used(session, programme.id),
        ikaa=ikaa_share(session, programme),
        third_country=third_country_share(session, programme),
        topics=_topic_lines(session, programme),
    )


def _topic_lines(session: Session, programme: Programme) -> list[TopicLine]:
    live = Pledge.status.in_(LIVE)
    confirmed = Pledge.status == "confirmed"
    stmt = (
        select(
            Topic.id,
            Topic.title,
            Topic.status,
            Topic.eu_contribution,
            Topic.industry_contribution,
            ScientificArea.name,
            cents_sum(Pledge.amount, live),
            cents_sum(Pledge.amount, confirmed),
            cents_sum(Pledge.eu_match, confirmed),
        )
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .outerjoin(Pledge, Pledge.topic_id == Topic.id)
        .where(Topic.programme_id == programme.id)
        .group_by(Topic.id, ScientificArea.name)
        .order_by(Topic.id)
    )
    return [
        TopicLine(
            topic_id=topic_id,
            title=title,
            status=status,
            area=area or "No area",
            eu_budget=eu,
            industry_budget=industry,
            pledged=from_cents(p),
            confirmed=from_cents(c),
            eu_match=from_cents(m),
        )
        for topic_id, title, status, eu, industry, area, p, c, m in session.execute(stmt)
        if p or status not in ("rejected", "withdrawn")
    ]


@dataclass
class AreaRow:
    area: str
    eu: Decimal
    industry: Decimal
    eu_share: Decimal | None = None
    industry_share: Decimal | None = None
    total_share: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.eu + self.industry


def area_distribution(session: Session, programme: Programme) -> list[AreaRow]:
    """IMI's "distribution of funding per scientific area": EU matching and industry
    (partner) contributions confirmed per area, each with its share of the programme's
    total. The last row is the total."""
    stmt = (
        select(
            ScientificArea.name,
            cents_sum(Pledge.eu_match),
            cents_sum(Pledge.amount),
        )
        .select_from(Pledge)
        .join(Topic, Topic.id == Pledge.topic_id)
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .where(Topic.programme_id == programme.id, Pledge.status == "confirmed")
        .group_by(ScientificArea.name)
    )
    rows = [
        AreaRow(area or "No area", from_cents(eu), from_cents(ind))
        for area, eu, ind in session.execute(stmt)
    ]
    rows.sort(key=lambda r: (-r.total, r.area))
    total = AreaRow("Total", sum((r.eu for r in rows), ZERO), sum((r.industry for r in rows), ZERO))
    for row in [*rows, total]:
        row.eu_share = _share(row.eu, total.eu)
        row.industry_share = _share(row.industry, total.industry)
        row.total_share = _share(row.total, total.total)
    return [*rows, total] if rows else []

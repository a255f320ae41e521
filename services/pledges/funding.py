"""Funding figures per topic, partner, programme and scientific area.

Every total is summed by the database in whole cents (:func:`services.money.cents_sum`)
and handled as Decimal. "Pledged" means submitted or confirmed; drafts, rejected and
withdrawn pledges are shown by state but count in no total.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import BindParameter, Integer, Row, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from models import Organisation, Pledge, Programme, ScientificArea, Topic, User
from models.pledges import PLEDGE_KINDS, PLEDGE_STATES
from services import policies
from services.core import pages
from services.core.errors import NotFound, PermissionDenied
from services.core.money import cents_sum, from_cents
from services.pledges import sums_cache
from services.pledges.rules import (
    LIVE,
    Share,
    ikaa_share,
    programme_sums,
    third_country_share,
)

ZERO = Decimal("0.00")
CLOSED = ("rejected", "withdrawn")  # topics listed only while they hold a pledge


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


# Lists of pledges show their topic's title: joined to the page's rows (pages of 20-50
# pledges: a second statement cost more than the join), without the topic's texts.
TOPIC_TITLES = joinedload(Pledge.topic, innerjoin=True).load_only(
    Topic.id, Topic.title, Topic.status
)
ORGANISATION = joinedload(Pledge.organisation, innerjoin=True)


# Built once: the decision queue's page (the columns its table shows, limit and offset
# bound) and its count (the submitted pledges, counted first: from ix_pledges_status).
_QUEUE_ROWS = (
    select(
        Pledge.id,
        Pledge.organisation_id,
        Pledge.topic_id,
        Pledge.kind,
        Pledge.amount,
        func.coalesce(func.nullif(Organisation.short_name, ""), Organisation.legal_name).label(
            "organisation"
        ),  # Organisation.display_name
        Topic.title,
    )
    .join(Organisation, Organisation.id == Pledge.organisation_id)
    .join(Topic, Topic.id == Pledge.topic_id)
    .where(Pledge.status == "submitted")
    .order_by(Pledge.updated_at, Pledge.id)
    .limit(bindparam("page_limit", type_=Integer))
    .offset(bindparam("page_offset", type_=Integer))
)
_QUEUE_COUNT = select(func.count()).select_from(Pledge).where(Pledge.status == "submitted")


def decision_queue_page(session: Session, page: int, per_page: int) -> pages.Page:
    """Submitted pledges waiting for a decision, the longest waiting first, a page at a
    time: rows of id, organisation_id, topic_id, kind, amount, organisation (its display
    name) and title (the topic's). A page past the end shows the last one."""
    total = session.scalar(_QUEUE_COUNT) or 0
    page = min(page, max(1, -(-total // per_page)))
    params = {"page_limit": per_page, "page_offset": (page - 1) * per_page}
    rows = list(session.execute(_QUEUE_ROWS, params)) if total else []
    return pages.Page(items=rows, page=page, per_page=per_page, total=total)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole else None


# "My pledges" lists this many of each organisation's pledges; its funding page all of them.
SHOWN_PLEDGES = 20


@dataclass
class PartnerFunding:
    organisation: Organisation
    pledges: list[Pledge]  # the first ``shown`` of partner_pledges, or none
    count: int  # all of its pledges
    by_state: dict[str, Decimal]
    eu_match: Decimal

    @property
    def confirmed(self) -> Decimal:
        return self.by_state["confirmed"]


def partner_pledges(organisation_id: int) -> Select[tuple[Pledge]]:
    """An organisation's pledges by topic, each with its topic's title (a listing query)."""
    return (
        select(Pledge)
        .where(Pledge.organisation_id == organisation_id)
        .order_by(Pledge.topic_id, Pledge.id)
        .options(TOPIC_TITLES)
    )


def partner_funding(
    session: Session, organisation: Organisation, shown: int = SHOWN_PLEDGES
) -> PartnerFunding:
    """An organisation's commitments across topics: totals by state, the number of its
    pledges and the first ``shown`` of them (0: none, the page lists them by pages)."""
    pledges = list(session.scalars(partner_pledges(organisation.id).limit(shown))) if shown else []
    rows = session.execute(
        select(
            Pledge.status,
            func.count(Pledge.id),
            cents_sum(Pledge.amount),
            cents_sum(Pledge.eu_match),
        )
        .where(Pledge.organisation_id == organisation.id)
        .group_by(Pledge.status)
    ).all()
    by_state = dict.fromkeys(PLEDGE_STATES, ZERO)
    eu_match = ZERO
    for status, _count, amount, match in rows:
        by_state[status] = from_cents(amount)
        if status == "confirmed":
            eu_match = from_cents(match)
    count = sum(n for _status, n, _amount, _match in rows)
    return PartnerFunding(organisation, pledges, count, by_state, eu_match)


@dataclass
class ProgrammeFunding:
    programme: Programme
    pledged_by_kind: dict[str, Decimal]
    confirmed_by_kind: dict[str, Decimal]
    eu_match_members: Decimal
    envelope_used: Decimal
    ikaa: Share
    third_country: Share

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
    """The programme's totals, in one pass over its pledges (its topics' lines are listed
    a page at a time: :func:`programme_topics_page` and :func:`topic_lines`)."""
    sums = dict(
        sums_cache.cached(
            session, programme, "sums", lambda: programme_sums(session, programme.id),
            sums_cache.EUROS,
        )
    )  # fmt: skip
    return ProgrammeFunding(
        programme=programme,
        pledged_by_kind={k: sums[f"pledged {k}"] for k in PLEDGE_KINDS},
        confirmed_by_kind={k: sums[f"confirmed {k}"] for k in PLEDGE_KINDS},
        eu_match_members=sums["members match"],
        envelope_used=sums["envelope used"],
        ikaa=ikaa_share(programme, sums),
        third_country=third_country_share(programme, sums),
    )


def programme_topics_page(
    session: Session, programme: Programme, page: int, per_page: int
) -> pages.Page:
    """A page of the programme's topics for its funding table, by id: all but the rejected
    or withdrawn ones that hold no submitted or confirmed pledge; rows of id, title, status,
    eu_contribution, industry_contribution and area_name (and the total), from statements
    built once (limit and offset are bound)."""
    rows, count = _topic_page_statements()
    return pages.page_of_statements(
        session, rows, count, {"programme_id": programme.id}, page, per_page
    )


def _programme_topics(programme_id: BindParameter[int]) -> Select[Any]:
    # The closed topics that keep a pledge, looked up for those few topics only (an EXISTS
    # over every topic became a hash of all the programme's pledges).
    closed = aliased(Topic)
    pledged = select(closed.id).where(
        closed.programme_id == programme_id,
        closed.status.in_(CLOSED),
        select(Pledge.id).where(Pledge.topic_id == closed.id, Pledge.status.in_(LIVE)).exists(),
    )
    return (
        select(
            Topic.id,
            Topic.title,
            Topic.status,
            Topic.eu_contribution,
            Topic.industry_contribution,
            ScientificArea.name.label("area_name"),
        )
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .where(
            Topic.programme_id == programme_id,
            or_(Topic.status.not_in(CLOSED), Topic.id.in_(pledged)),
        )
        .order_by(Topic.id)
    )


@functools.cache
def _topic_page_statements() -> tuple[Select[Any], Select[Any]]:
    """Built once: building them (and their cache keys) cost a tenth of the page."""
    listed = _programme_topics(bindparam("programme_id", type_=Integer))
    rows = (
        listed.add_columns(func.count().over().label("total_rows"))
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )
    count = select(func.count()).select_from(listed.order_by(None).subquery())
    return rows, count


@dataclass(frozen=True)
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


def _topic_sums(session: Session, programme_id: int) -> Mapping[int, tuple[int, int, int]]:
    """Cents pledged, confirmed and matched of each topic of the programme that has a
    pledge: one pass over the programme's pledges, kept under its sums token."""
    confirmed = Pledge.status == "confirmed"
    stmt = (
        select(
            Pledge.topic_id,
            cents_sum(Pledge.amount, Pledge.status.in_(LIVE)),
            cents_sum(Pledge.amount, confirmed),
            cents_sum(Pledge.eu_match, confirmed),
        )
        .where(Pledge.programme_id == programme_id)
        .group_by(Pledge.topic_id)
    )
    rows = session.execute(stmt)
    return MappingProxyType({t: (int(p), int(c), int(m)) for t, p, c, m in rows})


def topic_lines(
    session: Session, programme: Programme, topics: Sequence[Row[Any]]
) -> list[TopicLine]:
    """The funding line of each of ``topics`` (rows of :func:`programme_topics_page`), from the
    programme's topic sums (computed once per sums token and process)."""
    sums = sums_cache.cached(
        session, programme, "topic sums", lambda: _topic_sums(session, programme.id),
        sums_cache.BY_ID,
    )  # fmt: skip
    lines = []
    for t in topics:
        pledged, confirmed_sum, match = sums.get(t.id, (0, 0, 0))
        lines.append(
            TopicLine(
                topic_id=t.id,
                title=t.title,
                status=t.status,
                area=t.area_name or "No area",
                eu_budget=t.eu_contribution,
                industry_budget=t.industry_contribution,
                pledged=from_cents(pledged),
                confirmed=from_cents(confirmed_sum),
                eu_match=from_cents(match),
            )
        )
    return lines


def _area_sums(session: Session, programme_id: int) -> tuple[tuple[str | None, int, int], ...]:
    """(area name, EU cents, industry cents) of the confirmed pledges per area."""
    # Summed per topic first (a few hundred rows), then per area: no join per pledge.
    per_topic = (
        select(
            Pledge.topic_id,
            cents_sum(Pledge.eu_match).label("eu"),
            cents_sum(Pledge.amount).label("industry"),
        )
        .where(Pledge.programme_id == programme_id, Pledge.status == "confirmed")
        .group_by(Pledge.topic_id)
        .subquery()
    )
    stmt = (
        select(ScientificArea.name, func.sum(per_topic.c.eu), func.sum(per_topic.c.industry))
        .select_from(per_topic)
        .join(Topic, Topic.id == per_topic.c.topic_id)
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .group_by(ScientificArea.name)
    )
    return tuple(session.execute(stmt).tuples())


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
    sums = sums_cache.cached(
        session, programme, "areas", lambda: _area_sums(session, programme.id), sums_cache.AREA_ROWS
    )
    rows = [AreaRow(area or "No area", from_cents(eu), from_cents(ind)) for area, eu, ind in sums]
    rows.sort(key=lambda r: (-r.total, r.area))
    total = AreaRow("Total", sum((r.eu for r in rows), ZERO), sum((r.industry for r in rows), ZERO))
    for row in [*rows, total]:
        row.eu_share = _share(row.eu, total.eu)
        row.industry_share = _share(row.industry, total.industry)
        row.total_share = _share(row.total, total.total)
    return [*rows, total] if rows else []

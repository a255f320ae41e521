"""A topic's funding: totals by kind and state, the EU match, the contribution share, and
who pledged what as far as the viewer may see (the topic page and the topic funding page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from models import Organisation, Pledge, Topic, User
from models.pledges import PLEDGE_KINDS, PLEDGE_STATES
from services import policies
from services.core.money import cents_sum, from_cents
from services.core.statements import office_statement
from services.pledges.rules import LIVE, Share, contribution_share

ZERO = Decimal("0.00")


@dataclass
class PartnerPledges:
    """One partner's pledges to a topic, as the viewer may see them: rows of id, kind,
    amount and status (forty Pledge and Organisation objects cost more than their SQL)."""

    organisation_id: int
    name: str
    pledges: list[Row[Any]]

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
    pledge_count: int = 0  # in any state
    # The funding page's detail (``detailed``), when asked for: who pledged what, only the
    # pledges the viewer may open (policies.can_view_pledge); ``hidden_pledges``: how many
    # others there are (their sums are in the totals above).
    detailed: bool = False
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


# Built once, run with the topic's id (the topic page shows them on every request).
_TOPIC_SUMS = (
    select(
        Pledge.kind,
        Pledge.status,
        cents_sum(Pledge.amount),
        cents_sum(Pledge.eu_match),
        func.count(),
    )
    .where(Pledge.topic_id == bindparam("topic_id"))
    .group_by(Pledge.kind, Pledge.status)
)


def topic_funding(session: Session, topic: Topic, viewer: User | None = None) -> TopicFunding:
    """The topic's totals; with ``viewer``, also the pledges by partner that they may see
    (the topic funding page; the topic page links to it)."""
    rows = session.execute(_TOPIC_SUMS, {"topic_id": topic.id}).all()
    by_kind = dict.fromkeys(PLEDGE_KINDS, ZERO)
    confirmed_by_kind = dict.fromkeys(PLEDGE_KINDS, ZERO)
    by_state = dict.fromkeys(PLEDGE_STATES, ZERO)
    eu_match = ZERO
    total = 0  # pledges in any state
    for kind, status, amount, match, count in rows:
        total += count
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
        pledge_count=total,
        **(_by_partner(session, topic, viewer, total) if viewer is not None else {}),
    )


def _visible_pledges(viewer: User) -> Select[Any]:
    return (
        select(
            Pledge.id,
            Pledge.kind,
            Pledge.amount,
            Pledge.status,
            Pledge.organisation_id,
            Organisation.short_name,
            Organisation.legal_name,
        )
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.topic_id == bindparam("topic_id"), policies.pledge_visibility_clause(viewer))
        .order_by(Pledge.id)
    )


def _by_partner(session: Session, topic: Topic, viewer: User, total: int) -> dict:
    """The pledges ``viewer`` may see, by partner; ``total``: all the topic's pledges."""
    stmt = office_statement("topic-pledges", viewer, lambda: _visible_pledges(viewer))
    visible = session.execute(stmt, {"topic_id": topic.id}).all()
    partners: dict[int, PartnerPledges] = {}
    for p in visible:
        name = p.short_name or p.legal_name  # Organisation.display_name
        partners.setdefault(p.organisation_id, PartnerPledges(p.organisation_id, name, []))
        partners[p.organisation_id].pledges.append(p)
    ordered = sorted(partners.values(), key=lambda g: g.name.casefold())
    return {"detailed": True, "by_partner": ordered, "hidden_pledges": total - len(visible)}

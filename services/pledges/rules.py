"""Programme rules read from the programme's settings: EU matching, the partner envelope,
and the shares that produce warnings (not refusals).

Matching: the EU matches eligible contributions (IKOP and cash; IKAA funds additional
activities outside the action and is not matched) at ``programme.matching_ratio``,
rounded down to the cent so the EU never over-matches. Members' contributions are matched
from the programme's main EU budget (1:1 at programme level); only associated and
contributing partners' matching is drawn from ``programme.partner_envelope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Pledge, Programme, Topic
from models.pledges import PLEDGE_KINDS
from services.core.money import CENT, cents_sum, from_cents
from services.pledges.parsing import IN_KIND

MATCHED_KINDS = ("ikop", "fc")
LIVE = ("submitted", "confirmed")  # pledged; drafts, rejected and withdrawn count nowhere
THRESHOLDS = (Decimal("0.80"), Decimal("1.00"))


def eu_match_for(programme: Programme, pledge: Pledge) -> Decimal:
    if pledge.kind not in MATCHED_KINDS:
        return Decimal("0.00")
    return (pledge.amount * programme.matching_ratio).quantize(CENT, rounding=ROUND_DOWN)


def envelope_used(session: Session, programme_id: int) -> Decimal:
    """EU matching already drawn from the partner envelope (confirmed pledges)."""
    value = session.scalar(
        select(cents_sum(Pledge.eu_match)).where(
            Pledge.programme_id == programme_id,
            Pledge.status == "confirmed",
            Pledge.from_envelope.is_(True),
        )
    )
    return from_cents(value)


def crossed(envelope: Decimal, before: Decimal, after: Decimal) -> list[Decimal]:
    """The thresholds (80 %, 100 %) that moving from ``before`` to ``after`` crosses."""
    if envelope <= 0:
        return []
    return [t for t in THRESHOLDS if before < envelope * t <= after]


@dataclass(frozen=True)
class Share:
    value: Decimal | None  # None when the base is zero
    limit: Decimal

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f} %"


def programme_sums(session: Session, programme_id: int) -> dict[str, Decimal]:
    """The programme-wide sums of its submitted and confirmed pledges, in euros: what the
    rules read ("ikaa", "members_in_kind", "third_country", "ikop": confirmed) and the
    funding page's totals ("pledged KIND", "confirmed KIND", "members match", "envelope
    used"). One grouped pass over the programme's pledges (a handful of groups), no join:
    pledges carry their programme, and membership is a hashed look-up of the members."""
    member = Pledge.organisation_id.in_(
        select(Organisation.id).where(Organisation.is_efpia_member)
    ).label("member")
    stmt = (
        select(
            Pledge.status,
            Pledge.kind,
            Pledge.from_envelope,
            member,
            cents_sum(Pledge.amount),
            cents_sum(Pledge.eu_match),
            cents_sum(Pledge.third_country_costs),
        )
        .where(Pledge.programme_id == programme_id, Pledge.status.in_(LIVE))
        .group_by(Pledge.status, Pledge.kind, Pledge.from_envelope, member)
    )
    names = ("ikaa", "members_in_kind", "third_country", "ikop", "members match", "envelope used")
    cents: dict[str, Any] = dict.fromkeys(names, 0)
    for kind in PLEDGE_KINDS:
        cents[f"pledged {kind}"] = cents[f"confirmed {kind}"] = 0
    for status, kind, from_envelope, is_member, amount, match, third in session.execute(stmt):
        cents[f"pledged {kind}"] += amount
        if status != "confirmed":
            continue
        cents[f"confirmed {kind}"] += amount
        cents["envelope used" if from_envelope else "members match"] += match
        if is_member and kind == "ikaa":
            cents["ikaa"] += amount
        if is_member and kind in IN_KIND:
            cents["members_in_kind"] += amount
        if kind == "ikop":
            cents["ikop"] += amount
            cents["third_country"] += third
    return {name: from_cents(value) for name, value in cents.items()}


def ikaa_share(programme: Programme, sums: dict[str, Decimal]) -> Share:
    """IKAA as a share of members' in-kind contributions (IKOP + IKAA), programme-wide;
    ``sums`` from :func:`programme_sums`."""
    in_kind = sums["members_in_kind"]
    return Share(sums["ikaa"] / in_kind if in_kind else None, programme.ikaa_max_share)


def third_country_share(programme: Programme, sums: dict[str, Decimal]) -> Share:
    """Costs in non-associated third countries as a share of IKOP, programme-wide."""
    total = sums["ikop"]
    return Share(
        sums["third_country"] / total if total else None, programme.third_country_max_share
    )


def topic_contribution_share(session: Session, topic: Topic) -> Share:
    """Confirmed contributions / total cost, where total cost = the topic's indicative EU
    contribution + the confirmed contributions."""
    confirmed = from_cents(
        session.scalar(
            select(cents_sum(Pledge.amount)).where(
                Pledge.topic_id == topic.id, Pledge.status == "confirmed"
            )
        )
    )
    return contribution_share(topic, confirmed)


def contribution_share(topic: Topic, confirmed: Decimal) -> Share:
    """``topic_contribution_share`` for a known sum of confirmed contributions."""
    total = (topic.eu_contribution or Decimal("0")) + confirmed
    return Share(confirmed / total if total else None, topic.programme.min_contribution_share)


def warnings(session: Session, programme: Programme, topic: Topic) -> list[str]:
    """Rules that warn rather than refuse, read after a confirmation."""
    out: list[str] = []
    sums = programme_sums(session, programme.id)
    share = ikaa_share(programme, sums)
    if share.value is not None and share.value > share.limit:
        out.append(
            f"In-kind contributions to additional activities are {share.percent} of members' "
            f"in-kind contributions in {programme.code}, above the {share.limit * 100:.0f} % "
            "limit."
        )
    share = third_country_share(programme, sums)
    if share.value is not None and share.value > share.limit:
        out.append(
            f"Costs in non-associated third countries are {share.percent} of in-kind "
            f"contributions to operational activities in {programme.code}, above the "
            f"{share.limit * 100:.0f} % limit."
        )
    share = topic_contribution_share(session, topic)
    if share.value is not None and share.value < share.limit:
        out.append(
            f"Contributions to topic “{topic.title}” cover {share.percent} of its total cost, "
            f"under the required {share.limit * 100:.0f} %."
        )
    return out

"""Builders shared by the pledge tests: topics, approved partners, pledges in any state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from models import Organisation, PartnerApplication, Pledge, Programme, Topic


def make_topic(
    db: Session,
    world: dict[str, Any],
    *,
    status: str = "drafting",
    eu: str | None = "1000000.00",
    industry: str | None = "1000000.00",
    title: str = "A topic",
) -> Topic:
    topic = Topic(
        programme_id=world["programme"].id,
        sgg_id=world["sgg_a"].id,
        area_id=world["area"].id,
        title=title,
        status=status,
        eu_contribution=Decimal(eu) if eu else None,
        industry_contribution=Decimal(industry) if industry else None,
    )
    db.add(topic)
    db.commit()
    return topic


def make_partner(
    db: Session,
    programme: Programme,
    *,
    name: str = "Open Cures Foundation",
    partner_type: str = "associated",
    approved: bool = True,
) -> Organisation:
    org = Organisation(legal_name=name, country="NL", sector="other", partner_type=None)
    db.add(org)
    db.flush()
    if approved:
        org.partner_type = partner_type
        db.add(
            PartnerApplication(
                organisation_id=org.id,
                programme_id=programme.id,
                partner_type=partner_type,
                status="approved",
            )
        )
    db.commit()
    return org


def add_pledge(
    db: Session,
    topic: Topic,
    org: Organisation,
    amount: str,
    *,
    kind: str = "fc",
    status: str = "submitted",
    commit: bool = True,
    **extra: Any,
) -> Pledge:
    value = Decimal(amount)
    fields: dict[str, Any] = {}
    if kind in ("ikop", "ikaa"):
        fields["personnel"] = value
    fields.update(extra)
    pledge = Pledge(
        topic_id=topic.id,
        organisation_id=org.id,
        kind=kind,
        amount=value,
        status=status,
        **fields,
    )
    db.add(pledge)
    if commit:
        db.commit()
    return pledge


def form(**overrides: Any) -> dict[str, Any]:
    """A valid in-kind pledge form."""
    data = {
        "kind": "ikop",
        "amount": "1,250,000.50",
        "personnel": "1,000,000.00",
        "consumables": "250,000.50",
        "third_country_costs": "",
        "entity": "self",
        "affiliated_entity": "",
        "start_year": "2027",
        "end_year": "2031",
        "note": "Imaging platform time.",
    }
    data.update(overrides)
    return data

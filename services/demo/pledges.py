"""Demo pledges in every state and approved partner applications (called by demo.load)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, PartnerApplication, Pledge, Programme, Topic, User
from models.base import utcnow
from services.pledges.rules import eu_match_for

# (topic index in demo.TOPICS, partner short name, kind, amount, status)
PLEDGES = (
    (0, "NOVAPHARM", "ikop", "2400000.00", "confirmed"),
    (0, "OCF", "fc", "7000000.00", "confirmed"),
    (1, "MERIDIAN", "fc", "750000.00", "submitted"),
    (2, "JDRT", "fc", "1500000.00", "submitted"),
    (3, "HELIX", "ikop", "320000.50", "draft"),
    (4, "BALTBIO", "ikaa", "100000.00", "rejected"),
    (7, "AURORA", "fc", "250000.00", "withdrawn"),
    (4, "NOVAPHARM", "ikaa", "600000.00", "confirmed"),
)


def load(session: Session, programme: Programme, coordinator: User) -> None:
    partners = {
        o.short_name: o
        for o in session.scalars(
            select(Organisation).where(
                (Organisation.is_efpia_member.is_(True)) | (Organisation.partner_type.is_not(None))
            )
        )
    }
    for org in partners.values():
        if org.partner_type:
            session.add(
                PartnerApplication(
                    organisation_id=org.id,
                    programme_id=programme.id,
                    partner_type=org.partner_type,
                    motivation=f"{org.legal_name} funds research in its field.",
                    status="approved",
                    decided_by_id=coordinator.id,
                    decided_at=utcnow(),
                )
            )
    patient = session.scalar(
        select(Organisation)
        .where(Organisation.sector == "patient", Organisation.partner_type.is_(None))
        .order_by(Organisation.id)
        .limit(1)
    )
    if patient is not None:
        session.add(
            PartnerApplication(
                organisation_id=patient.id,
                programme_id=programme.id,
                partner_type="contributing",
                motivation="We bring patient registries and want to co-fund a topic.",
            )
        )
    topics = list(
        session.scalars(select(Topic).where(Topic.programme_id == programme.id).order_by(Topic.id))
    )
    for index, short, kind, amount, status in PLEDGES:
        org = partners[short]
        value = Decimal(amount)
        pledge = Pledge(
            topic_id=topics[index].id,
            programme_id=programme.id,
            organisation_id=org.id,
            kind=kind,
            amount=value,
            status=status,
            contributing_entity="",
            start_year=2027,
            end_year=2031,
            note="Demo pledge.",
        )
        if kind != "fc":
            pledge.personnel = (value * Decimal("0.7")).quantize(Decimal("0.01"))
            pledge.consumables = value - pledge.personnel
        if status in ("confirmed", "rejected"):
            pledge.decided_by_id = coordinator.id
            pledge.decided_at = utcnow()
        if status == "confirmed":
            pledge.eu_match = eu_match_for(programme, pledge)
            pledge.from_envelope = not org.is_efpia_member and pledge.eu_match > 0
        session.add(pledge)
    session.flush()

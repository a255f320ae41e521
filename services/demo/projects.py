"""Demo track records: generated past projects for the demo organisations, so consortium
matching has expertise to score (the texts are built from each organisation's field)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CordisProject, Organisation, Participation

AIMS = (
    "Advancing {kw} through open collaboration",
    "A European platform for {kw}",
    "Validating {kw} for regulatory use",
    "Patient-centred {kw} across Europe",
)


def load(session: Session, keywords_by_field: dict[str, str], projects: int = 160) -> None:
    """Add ``projects`` past projects, each joined by organisations that share its field."""
    rng = random.Random(7)
    orgs = list(
        session.scalars(
            select(Organisation).where(Organisation.pic.like("888%")).order_by(Organisation.id)
        )
    )
    by_field: dict[str, list[Organisation]] = {}
    for org in orgs:
        field = next((f for f, kws in keywords_by_field.items() if org.keywords == kws), None)
        if field is not None:
            by_field.setdefault(field, []).append(org)
    fields = sorted(by_field)
    for n in range(projects):
        field = fields[n % len(fields)]
        terms = [t.strip() for t in keywords_by_field[field].split(",")]
        kw = rng.choice(terms)
        project = CordisProject(
            id=f"DEMO{n + 1:05d}",
            acronym=f"{field[:4].upper()}{n + 1}",
            title=rng.choice(AIMS).format(kw=kw),
            objective=(
                f"The project brings together experts in {field.lower()} to study "
                f"{', '.join(terms)}. It will deliver shared data, validated methods and "
                f"training on {kw}."
            ),
            keywords=", ".join(terms),
            euroscivoc=field.lower(),
            call="DEMO-CALL",
            topic=f"DEMO-{field.upper().replace(' ', '-')}",
            start_date=date(2021 + n % 4, 1 + n % 12, 1),
            total_cost=Decimal(rng.randrange(2, 12) * 500_000),
            eu_contribution=Decimal(rng.randrange(2, 10) * 500_000),
        )
        session.add(project)
        members = rng.sample(by_field[field], k=min(len(by_field[field]), rng.randint(3, 6)))
        members += rng.sample(orgs, k=2)
        for position, org in enumerate(dict.fromkeys(members), start=1):
            session.add(
                Participation(
                    project_id=project.id,
                    organisation_id=org.id,
                    role="coordinator" if position == 1 else "participant",
                    position=position,
                )
            )
    session.flush()

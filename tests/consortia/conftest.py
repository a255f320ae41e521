"""A small synthetic pool: organisations, CORDIS projects, participations, a topic, an index."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import models
from services.consortia import expertise_index as matching_index
from services.core.context import RequestContext

THEMES = {
    "vaccine": "pertussis vaccine immunogenicity adjuvant antigen clinical trial infants",
    "diabetes": "type 1 diabetes insulin beta cell islet autoimmunity glucose monitoring",
    "neuro": "alzheimer neurodegeneration amyloid tau biomarker cognitive decline",
    "amr": "antimicrobial resistance antibiotic discovery bacterial infection stewardship",
}
# (name, country, sector, sme, theme)
ORGS = [
    ("Vax University", "DE", "academia", False, "vaccine"),
    ("Immuno Institute", "FR", "research", False, "vaccine"),
    ("Antigen Labs", "NL", "sme", True, "vaccine"),
    ("Infant Health Org", "BE", "patient", False, "vaccine"),
    ("Adjuvant Biotech", "ES", "sme", True, "vaccine"),
    ("Trial Hospital", "IT", "public", False, "vaccine"),
    ("Pertussis Centre", "PT", "research", False, "vaccine"),
    ("Vaccine Academy", "AT", "academia", False, "vaccine"),
    ("Nordic Vax", "SE", "academia", False, "vaccine"),
    ("Beta Cell Uni", "DK", "academia", False, "diabetes"),
    ("Glucose Tech", "FI", "sme", True, "diabetes"),
    ("Islet Research", "IE", "research", False, "diabetes"),
    ("Neuro College", "PL", "academia", False, "neuro"),
    ("Tau Biotech", "CZ", "sme", True, "neuro"),
    ("Amyloid Institute", "HU", "research", False, "neuro"),
    ("Resist Uni", "GR", "academia", False, "amr"),
    ("Antibiotic SME", "SI", "sme", True, "amr"),
    ("Swiss Pharma", "CH", "industry", False, "vaccine"),
    ("Big Pharma FR", "FR", "industry", False, "vaccine"),
    ("US Vaccines Inc", "US", "industry", False, "vaccine"),
]


@pytest.fixture
def pool(db, world, settings) -> dict[str, Any]:
    return seed_pool(db, world["programme"], world["sgg_a"], settings.instance_path)


def seed_pool(db, programme, sgg, instance_path, prefix: str = "") -> dict[str, Any]:
    """The pool in ``db`` (names prefixed by ``prefix``), committed, with its index built."""
    orgs = []
    for i, (name, country, sector, sme, _theme) in enumerate(ORGS):
        orgs.append(
            models.Organisation(
                legal_name=prefix + name,
                country=country,
                sector=sector,
                is_sme=sme,
                pic=f"9{9 - len(prefix) % 10}{i:07d}",
            )
        )
    db.add_all(orgs)
    db.flush()
    projects = []
    for theme, words in THEMES.items():
        for k in range(4):
            projects.append(
                models.CordisProject(
                    id=f"{theme}-{k}",
                    title=f"{theme.title()} project {k}: {words.split()[k]} {words.split()[k + 1]}",
                    objective=f"{words} study number {k} on {words.split()[-1 - k]}",
                    keywords=words.split()[k],
                )
            )
    db.add_all(projects)
    db.flush()
    for org, (_n, _c, _s, _sme, theme) in zip(orgs, ORGS, strict=True):
        for k in range(1 + org.id % 3):
            db.add(
                models.Participation(
                    project_id=f"{theme}-{k}", organisation_id=org.id, role="participant"
                )
            )
    call = models.Call(
        programme=programme, identifier="T-CALL-1", title="Call 1", call_type="two_stage"
    )
    topic = models.Topic(
        programme=programme,
        sgg=sgg,
        call=call,
        title="Next-generation pertussis vaccine for infants",
        scope="Develop an adjuvant and antigen for a pertussis vaccine; clinical trial in infants.",
        keywords="vaccine; pertussis; immunogenicity",
        consortium_size_min=5,
        consortium_size_max=7,
        min_countries=4,
        sme_share=Decimal("0.2"),
        sector_targets={"academia": 2, "sme": 1},
    )
    db.add_all([call, topic])
    db.flush()
    db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=orgs[17].id))
    db.commit()
    version = matching_index.build_now(db, RequestContext(None), instance_path, "test")
    db.commit()
    assert version.status == "ready", version.message
    return {
        "orgs": orgs,
        "topic": topic,
        "version": version,
        "by_name": {o.legal_name: o for o in orgs},
    }

"""The load benchmark's database: its own PostgreSQL database, migrated, with the full
CORDIS import, 1,000 generated topics with realistic texts, 20,000 pledges, one account
per role and a few hundred others; and the pages to measure on it (bench/load_pages.py).
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from models import Call, Organisation, Programme, ScientificArea, Sgg, Topic, User
from models.db import make_engine, make_session_factory
from models.pledges import Pledge
from models.topics import TOPIC_STATES, TopicIndustryPartner
from services.accounts import memberships
from services.accounts import users as accounts
from services.core import schema
from services.core.context import RequestContext
from services.policies.programme import EDITABLE_BY_COORDINATOR

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATA = ROOT.parent / "shared" / "data" / "cordis-he"
PASSWORD = "load-bench-password"  # noqa: S105  (accounts of a throwaway database)
N_TOPICS = 1000
N_PLEDGES = 20_000
ROLES = ("coordinator", "sgg_member", "partner_rep", "admin")
# The pages measured under load (gunicorn + locust/wrk); every page is timed in-process.
LOAD_PAGES = (
    "trivial /health/live", "topic list", "topic search", "topic page",
    "organisation search", "pledge form",
)  # fmt: skip

# ---------------------------------------------------------------- realistic topic texts
DISEASES = (
    "Alzheimer's disease", "Parkinson's disease", "type 2 diabetes", "heart failure",
    "chronic obstructive pulmonary disease", "rheumatoid arthritis", "multiple sclerosis",
    "antimicrobial resistance", "tuberculosis", "non-small cell lung cancer", "glioblastoma",
    "sickle cell disease", "cystic fibrosis", "obesity", "chronic kidney disease",
    "psoriasis", "major depressive disorder", "sepsis", "malaria", "respiratory syncytial virus",
)  # fmt: skip
METHODS = (
    "digital biomarkers", "real-world data", "patient-derived organoids", "federated learning",
    "wearable sensors", "single-cell omics", "adaptive platform trials", "in silico models",
    "imaging endpoints", "vaccine adjuvants", "gene therapy vectors", "microbiome profiling",
    "patient-reported outcomes", "liquid biopsy", "AI-assisted diagnosis", "cohort studies",
)  # fmt: skip
AIMS = (
    "earlier diagnosis", "patient stratification", "regulatory acceptance", "faster trials",
    "better prevention", "personalised treatment", "health technology assessment",
    "reduced animal testing", "equitable access", "manufacturing at scale",
)  # fmt: skip
SENTENCES = (
    "Current approaches to {d} rely on late clinical signs, so patients reach treatment late.",
    "The topic will develop and validate {m} to enable {a} in {d}.",
    "Applicants should build on existing European infrastructures and data standards.",
    "A multi-stakeholder consortium including patients, regulators and payers is expected.",
    "Results should be shared under FAIR principles and remain available after the project.",
    "Validation in at least two independent cohorts across several member states is required.",
    "The industry consortium contributes {m} expertise, compound libraries and trial sites.",
    "Expected benefits include {a} and a lower burden of {d} on health systems.",
)


def _paragraph(rng: random.Random, d: str, m: str, a: str, n: int) -> str:
    return " ".join(rng.choice(SENTENCES).format(d=d, m=m, a=a) for _ in range(n))


def topic_rows(rng: random.Random, ids: dict[str, list[int]], programme_id: int) -> list[dict]:
    now = datetime.now(UTC)
    rows = []
    for i in range(N_TOPICS):
        d, m, a = rng.choice(DISEASES), rng.choice(METHODS), rng.choice(AIMS)
        status = rng.choices(TOPIC_STATES, weights=(6, 4, 10, 5, 5, 12, 12, 8, 6, 8, 10, 4, 3))[0]
        eu = Decimal(rng.randrange(5, 60)) * Decimal("1000000")
        when = now - timedelta(days=rng.randrange(0, 900), minutes=rng.randrange(1440))
        sgg = rng.randrange(len(ids["sgg"]))
        rows.append(
            {
                "programme_id": programme_id,
                "sgg_id": ids["sgg"][sgg],
                "area_id": ids["area"][sgg % len(ids["area"])],
                "call_id": rng.choice(ids["call"]) if status not in TOPIC_STATES[:4] else None,
                "identifier": f"LOAD-{i + 1:05d}",
                "title": f"{m.capitalize()} for {a} in {d}"[:300],
                "status": status,
                "challenge": _paragraph(rng, d, m, a, 6),
                "scope": _paragraph(rng, d, m, a, 10),
                "expected_outcomes": _paragraph(rng, d, m, a, 4),
                "expected_impact": _paragraph(rng, d, m, a, 4),
                "keywords": ", ".join({d, m, a, rng.choice(METHODS)}),
                "eu_contribution": eu,
                "industry_contribution": eu * Decimal("0.9"),
                "duration_months": rng.choice((36, 48, 60, 72)),
                "consortium_size_min": 8,
                "consortium_size_max": 20,
                "min_countries": 3,
                "sector_targets": {"academia": 4, "sme": 2},  # seats, as the topic form saves them
                "version": 1,
                "created_at": when,
                "updated_at": when + timedelta(days=rng.randrange(0, 60)),
            }
        )
    return rows


def pledge_rows(
    rng: random.Random, programme_id: int, topic_ids: list[int], org_ids: list[int]
) -> list[dict]:
    now = datetime.now(UTC)
    states = ("draft", "submitted", "confirmed", "rejected", "withdrawn")
    rows = []
    for _ in range(N_PLEDGES):
        amount = Decimal(rng.randrange(50, 5000)) * Decimal("1000")
        status = rng.choices(states, weights=(15, 20, 55, 5, 5))[0]
        kind = rng.choices(("ikop", "fc", "ikaa"), weights=(70, 20, 10))[0]
        rows.append(
            {
                "topic_id": rng.choice(topic_ids),
                "programme_id": programme_id,
                "organisation_id": rng.choice(org_ids),
                "kind": kind,
                "amount": amount,
                "personnel": amount * Decimal("0.6"),
                "consumables": amount * Decimal("0.4"),
                "contributing_entity": "",
                "start_year": 2026,
                "end_year": 2030,
                "note": "",
                "third_country_costs": Decimal(0),
                "from_envelope": False,
                "status": status,
                "eu_match": amount if status == "confirmed" and kind != "ikaa" else None,
                "created_at": now - timedelta(days=rng.randrange(0, 400)),
                "updated_at": now,
            }
        )
    return rows


# ---------------------------------------------------------------- the database
def _admin() -> Engine:
    return create_engine(PG_BASE, isolation_level="AUTOCOMMIT")


def database_url(name: str) -> str:
    return make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)


def create_database(name: str) -> bool:
    """True if created, False if it already existed (kept from an earlier run)."""
    engine = _admin()
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return not exists


def drop_database(name: str) -> None:
    engine = _admin()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def import_cordis(session: Session) -> None:
    from services.organisations.cordis_import import create_run, run_import

    start = time.perf_counter()
    run = create_run(
        session, RequestContext(None), DATA / "project.csv.gz", DATA / "organization.csv.gz"
    )
    run_import(session, run.id)
    session.commit()
    print(f"CORDIS import: {time.perf_counter() - start:.0f} s")


def seed(session: Session) -> None:
    """Programme, areas, SGGs, calls, 1,000 topics, 20,000 pledges and the accounts."""
    rng = random.Random(8)
    start = time.perf_counter()
    programme = Programme(code="LOAD", name="Load programme", partner_envelope=Decimal(10**10))
    areas = [
        ScientificArea(name=n, slug=n.lower().replace(" ", "-"))
        for n in ("Neuroscience", "Oncology", "Infection", "Metabolism", "Immunology", "Digital")
    ]
    sggs = [Sgg(programme=programme, area=a, name=f"SGG {a.name}") for a in areas]
    sggs += [Sgg(programme=programme, area=a, name=f"SGG {a.name} II") for a in areas[:4]]
    now = datetime.now(UTC)
    calls = [
        Call(
            programme=programme,
            identifier=f"LOAD-CALL-{i:02d}",
            title=f"Load call {i}",
            stage1_deadline=now + timedelta(days=30 * i - 200),
            stage2_deadline=now + timedelta(days=30 * i - 100),
        )
        for i in range(1, 13)
    ]
    session.add_all([programme, *areas, *sggs, *calls])
    session.flush()
    ids = {
        "sgg": [s.id for s in sggs],
        "area": [a.id for a in areas],
        "call": [c.id for c in calls],
    }
    session.execute(insert(Topic.__table__), topic_rows(rng, ids, programme.id))
    topics = session.execute(select(Topic.id, Topic.status)).all()
    # Pharma partners: the largest industry participants of the import become members.
    industry = list(
        session.scalars(
            select(Organisation.id)
            .where(Organisation.sector == "industry")
            .order_by(Organisation.id)
            .limit(60)
        )
    )
    session.execute(
        update(Organisation).where(Organisation.id.in_(industry)).values(is_efpia_member=True)
    )
    pledgeable = [t.id for t in topics if t.status not in ("idea", "screening")]
    session.execute(insert(Pledge.__table__), pledge_rows(rng, programme.id, pledgeable, industry))
    partners = [
        {"topic_id": t.id, "organisation_id": org}
        for t in topics
        for org in rng.sample(industry, 3)
    ]
    session.execute(insert(TopicIndustryPartner.__table__), partners)
    users = {role: _account(session, role) for role in ROLES}
    memberships.add_to_sgg(session, RequestContext(None), users["sgg_member"], ids["sgg"][0])
    memberships.add_to_organisation(
        session, RequestContext(None), users["partner_rep"], industry[0], "partner_rep"
    )
    # A few hundred other accounts (the topic page lists reviewers to assign).
    for i in range(300):
        session.add(User(email=f"user{i}@load.bench", name=f"User {i:03d}", role="viewer"))
    session.commit()
    print(f"generated topics, pledges and accounts: {time.perf_counter() - start:.1f} s")


def _account(session: Session, role: str) -> User:
    return accounts.create_user(
        session,
        RequestContext(None),
        email=f"{role}@load.bench",
        name=role.replace("_", " ").title(),
        role=role if role in ("coordinator", "admin") else "viewer",
        password=PASSWORD,
    )


def counts(session: Session) -> dict[str, int]:
    return {
        "organisations": session.scalar(select(func.count(Organisation.id))) or 0,
        "topics": session.scalar(select(func.count(Topic.id))) or 0,
        "pledges": session.scalar(select(func.count(Pledge.id))) or 0,
    }


def pick_paths(session: Session) -> dict[str, tuple[str, list[str]]]:
    """Page name -> (role, paths rotated over)."""
    busy = session.execute(
        select(Pledge.topic_id, func.count())
        .join(Topic, Topic.id == Pledge.topic_id)
        .where(Topic.status.in_(("published", "stage1_open", "stage2")))
        .group_by(Pledge.topic_id)
        .order_by(func.count().desc(), Pledge.topic_id)
        .limit(5)
    ).all()

    def first(stmt):
        return session.scalar(stmt.limit(1))

    programme = first(select(Programme.id).where(Programme.code == "LOAD"))
    call = first(select(Call.id).order_by(Call.id))
    # The partner representative's organisation: the first member (seed() gives it to them).
    org = first(
        select(Organisation.id)
        .where(Organisation.is_efpia_member.is_(True))
        .order_by(Organisation.id)
    )
    busiest_org = first(
        select(Pledge.organisation_id)
        .group_by(Pledge.organisation_id)
        .order_by(func.count().desc())
    )
    pledge = first(select(Pledge.id).where(Pledge.organisation_id == org).order_by(Pledge.id))
    published = first(select(Topic.id).where(Topic.status == "published").order_by(Topic.id))
    editable = first(
        select(Topic.id).where(Topic.status.in_(EDITABLE_BY_COORDINATOR)).order_by(Topic.id)
    )
    user = first(select(User.id).where(User.email == "partner_rep@load.bench"))
    return {
        "trivial /health/live": ("", ["/health/live"]),
        "sign-in page": ("", ["/auth/login"]),
        "public calls": ("", ["/public/calls/"]),
        "public call": ("", [f"/public/calls/{call}"]),
        "public topic": ("", [f"/public/topics/{published}"]),
        "dashboard": ("coordinator", ["/dashboard"]),
        "calls": ("coordinator", ["/calls/"]),
        "call page": ("coordinator", [f"/calls/{call}"]),
        "topic revisions": ("coordinator", [f"/topics/{busy[0][0]}/revisions"]),
        "topic edit form": ("coordinator", [f"/topics/{editable}/edit"]),
        "new topic form": ("sgg_member", ["/topics/new"]),
        "organisation page": ("coordinator", [f"/organisations/{busiest_org}"]),
        "involvement page": ("coordinator", [f"/organisations/{busiest_org}/involvement"]),
        "my pledges": ("partner_rep", ["/pledges/"]),
        "pledge page": ("partner_rep", [f"/pledges/{pledge}"]),
        "funding overview": ("coordinator", ["/pledges/funding"]),
        "programme funding": ("coordinator", [f"/pledges/funding/programmes/{programme}"]),
        "topic funding": ("coordinator", [f"/pledges/funding/topics/{busy[0][0]}"]),
        "partner funding": ("coordinator", [f"/pledges/funding/organisations/{busiest_org}"]),
        "partner applications": ("coordinator", ["/pledges/applications"]),
        "consortia": ("coordinator", ["/consortia/"]),
        "new consortium form": ("coordinator", [f"/consortia/new?topic_id={busy[0][0]}"]),
        "join requests": ("coordinator", ["/organisations/join-requests"]),
        "inbox": ("coordinator", ["/inbox/"]),
        "notification settings": ("coordinator", ["/inbox/settings"]),
        "api tokens": ("coordinator", ["/account/tokens"]),
        "community": ("coordinator", [f"/organisations/programmes/{programme}/community"]),
        "users": ("admin", ["/admin/users"]),
        "user page": ("admin", [f"/admin/users/{user}"]),
        "programme settings": ("admin", [f"/admin/programmes/{programme}/settings"]),
        "background work": ("admin", ["/admin/background"]),
        "outbox": ("admin", ["/admin/outbox"]),
        "imports": ("admin", ["/organisations/imports"]),
        "topic list": ("sgg_member", ["/topics/", "/topics/?page=3", "/topics/?sort=title"]),
        "topic search": ("sgg_member", ["/topics/?q=organoids", "/topics/?q=sepsis+wearable"]),
        "topic page": ("coordinator", [f"/topics/{t}" for t, _ in busy]),
        "organisation search": (
            "coordinator",
            [
                "/organisations/?q=karolinska",
                "/organisations/?q=fraunhofer",
                "/organisations/?q=universite+paris+saclay",
                "/organisations/?q=novartis",
            ],
        ),
        "pledge form": ("partner_rep", ["/pledges/new"]),
    }


def prepare(name: str) -> tuple[str, dict[str, tuple[str, list[str]]]]:
    """Create (or reuse) database ``name``, migrate and fill it; its URL and the pages."""
    url = database_url(name)
    fresh = create_database(name)
    schema.upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    if counts(session)["topics"] < N_TOPICS:
        if not fresh:
            print(f"database {name} exists but is not seeded: seeding it")
        if counts(session)["organisations"] == 0:
            import_cordis(session)
        seed(session)
    # Databases kept from before: shares instead of seat counts in the sector targets.
    # Only the topics still to change: rewriting all of them on every run left a dead
    # version of each topic per run (no autovacuum here), and the topic pages read them.
    targets = {"academia": 4, "sme": 2}
    stale = [
        topic_id
        for topic_id, current in session.execute(
            select(Topic.id, Topic.sector_targets).where(Topic.identifier.like("LOAD-%"))
        )
        if current != targets
    ]
    if stale:
        session.execute(update(Topic).where(Topic.id.in_(stale)).values(sector_targets=targets))
    for role in ROLES:  # a database kept from before a role was added gets its account
        if session.scalar(select(User.id).where(User.email == f"{role}@load.bench")) is None:
            _account(session, role)
    session.commit()
    # What autovacuum keeps a production database at (it is off on these machines):
    # statistics, and a visibility map so that covering indexes are read without the table.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"database {name}: {counts(session)}")
    pages = pick_paths(session)
    session.close()
    engine.dispose()
    return url, pages

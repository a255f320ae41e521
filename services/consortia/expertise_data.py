"""What the matching engine indexes: project texts once each, who joined what, candidates.

Each function streams (server-side cursors on PostgreSQL, batched fetches elsewhere), so
building an index over the full CORDIS import keeps memory flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import CordisProject, Organisation, Participation
from services.organisations.lineage import project_condition, year_of

YIELD_PER = 2000


@dataclass(frozen=True, slots=True)
class ProjectDoc:
    """The texts of one project: its participants' expertise (stored once per project)."""

    project_id: str
    title: str
    objective: str
    keywords: str
    euroscivoc: str
    topic: str

    @property
    def text(self) -> str:
        return "\n".join(
            t for t in (self.title, self.keywords, self.euroscivoc, self.objective) if t
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    organisation_id: int
    name: str
    pic: str | None
    sector: str
    country: str
    is_sme: bool
    keywords: str
    description: str


def iter_project_docs(session: Session) -> Iterator[ProjectDoc]:
    """Every CORDIS project's texts, once each, by project id."""
    stmt = select(
        CordisProject.id,
        CordisProject.title,
        CordisProject.objective,
        CordisProject.keywords,
        CordisProject.euroscivoc,
        CordisProject.topic,
    ).order_by(CordisProject.id)
    for row in session.execute(stmt.execution_options(yield_per=YIELD_PER)):
        yield ProjectDoc(*row)


def iter_participations(session: Session) -> Iterator[tuple[int, str]]:
    """(organisation id, project id) pairs: who brought which project's expertise."""
    stmt = (
        select(Participation.organisation_id, Participation.project_id)
        .distinct()
        .order_by(Participation.organisation_id, Participation.project_id)
    )
    for row in session.execute(stmt.execution_options(yield_per=YIELD_PER)):
        yield (row[0], row[1])


def candidate_rows(session: Session) -> Iterator[Candidate]:
    """Every live organisation (merged ones left out) with what matching filters on."""
    stmt = (
        select(
            Organisation.id,
            Organisation.legal_name,
            Organisation.pic,
            Organisation.sector,
            Organisation.country,
            Organisation.is_sme,
            Organisation.keywords,
            Organisation.description,
        )
        .where(Organisation.merged_into_id.is_(None))
        .order_by(Organisation.id)
    )
    for row in session.execute(stmt.execution_options(yield_per=YIELD_PER)):
        yield Candidate(*row)


@dataclass(frozen=True, slots=True)
class LineageRecord:
    """An organisation's participations in a programme's lineage (earlier calls of it)."""

    organisation_id: int
    projects: int
    roles: dict[str, int]  # coordinator / participant / associatedPartner -> projects
    latest_year: int | None  # start year of its latest lineage project


def iter_lineage_records(session: Session, prefixes: list[str]) -> Iterator[LineageRecord]:
    """Per organisation with any, its lineage participations (see services...lineage)."""
    if not prefixes:
        return
    stmt = (
        select(
            Participation.organisation_id,
            Participation.role,
            func.count(func.distinct(Participation.project_id)),
            func.max(year_of(CordisProject.start_date)),
        )
        .join(CordisProject, CordisProject.id == Participation.project_id)
        .where(project_condition(prefixes))
        .group_by(Participation.organisation_id, Participation.role)
        .order_by(Participation.organisation_id)
    )
    current: int | None = None
    roles: dict[str, int] = {}
    latest: int | None = None
    for org_id, role, count, year in session.execute(stmt.execution_options(yield_per=YIELD_PER)):
        if org_id != current and current is not None:
            yield LineageRecord(current, sum(roles.values()), roles, latest)
            roles, latest = {}, None
        current = org_id
        roles[role] = int(count)
        if year is not None:
            latest = max(latest or 0, int(year))
    if current is not None:
        yield LineageRecord(current, sum(roles.values()), roles, latest)

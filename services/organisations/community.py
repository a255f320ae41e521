"""A programme's community: who took part in the projects of its lineage, by sector, year
and country, counted as organisations and as teams (one team = one organisation in one
project, as IMI reported "970 academic, 552 EFPIA, 202 SME ... teams" in 2016).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CordisProject, Organisation, Participation, Programme
from models.countries import country_name
from services.core.exports import Table
from services.organisations.lineage import prefixes, project_condition, year_of

COMMUNITY_SECTORS = {
    "academia": "Academia",
    "research": "Research organisations",
    "industry": "Industry (not EFPIA)",
    "efpia": "EFPIA members",
    "sme": "SMEs",
    "patient": "Patient organisations",
    "public": "Public bodies",
    "other": "Other",
}
TOP_COUNTRIES = 20


@dataclass
class Tally:
    """Organisations (distinct) and teams (participations) in one group."""

    label: str
    organisations: int = 0
    teams: int = 0
    projects: int | None = None  # for the years


@dataclass
class Community:
    programme: Programme
    prefixes: list[str]
    projects: int = 0
    organisations: int = 0
    teams: int = 0
    sectors: list[Tally] = field(default_factory=list)
    years: list[Tally] = field(default_factory=list)
    countries: list[Tally] = field(default_factory=list)


def community_sector(sector: str, is_efpia_member: bool) -> str:
    """Our sector label, with EFPIA members apart from the rest of industry."""
    if is_efpia_member:
        return "efpia"
    return sector if sector in COMMUNITY_SECTORS else "other"


def community(session: Session, programme: Programme) -> Community:
    """The lineage's organisations and teams by sector, start year and country."""
    wanted = prefixes(programme)
    result = Community(programme, wanted)
    if not wanted:
        return result
    year = year_of(CordisProject.start_date)
    rows = session.execute(
        select(
            Participation.organisation_id,
            Participation.project_id,
            year,
            Organisation.sector,
            Organisation.is_efpia_member,
            Organisation.country,
        )
        .join(CordisProject, CordisProject.id == Participation.project_id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(project_condition(wanted))
    )
    teams_by: dict[str, Counter[str]] = {
        "sector": Counter(),
        "year": Counter(),
        "country": Counter(),
    }
    orgs_by: dict[str, dict[str, set[int]]] = {"sector": {}, "country": {}, "year": {}}
    projects_by_year: dict[str, set[str]] = {}
    orgs: set[int] = set()
    projects: set[str] = set()
    for org_id, project_id, start, sector, efpia, country in rows:
        key = {"sector": community_sector(sector, efpia), "country": country or ""}
        y = str(int(start)) if start is not None else "unknown"
        for dim, value in key.items():
            teams_by[dim][value] += 1
            orgs_by[dim].setdefault(value, set()).add(org_id)
        teams_by["year"][y] += 1
        orgs_by["year"].setdefault(y, set()).add(org_id)
        projects_by_year.setdefault(y, set()).add(project_id)
        orgs.add(org_id)
        projects.add(project_id)
    result.projects, result.organisations = len(projects), len(orgs)
    result.teams = sum(teams_by["sector"].values())
    result.sectors = [
        Tally(label, len(orgs_by["sector"].get(code, ())), teams_by["sector"][code])
        for code, label in COMMUNITY_SECTORS.items()
    ]
    result.years = [
        Tally(y, len(orgs_by["year"][y]), teams_by["year"][y], len(projects_by_year[y]))
        for y in sorted(projects_by_year, key=lambda v: (v == "unknown", v))
    ]
    ranked = sorted(orgs_by["country"].items(), key=lambda kv: (-len(kv[1]), kv[0]))
    result.countries = [
        Tally(country_name(code) or code or "unknown", len(ids), teams_by["country"][code])
        for code, ids in ranked[:TOP_COUNTRIES]
    ]
    rest = ranked[TOP_COUNTRIES:]
    if rest:
        result.countries.append(
            Tally(
                f"{len(rest)} other countries",
                len(set().union(*(ids for _, ids in rest))),
                sum(teams_by["country"][code] for code, _ in rest),
            )
        )
    return result


def community_table(data: Community) -> Table:
    """All three breakdowns in one sheet: breakdown, group, projects, organisations, teams."""
    rows: list[list[object]] = [["Total", "all", data.projects, data.organisations, data.teams]]
    for name, tallies in (
        ("Sector", data.sectors),
        ("Start year", data.years),
        ("Country", data.countries),
    ):
        rows += [
            [name, t.label, "" if t.projects is None else t.projects, t.organisations, t.teams]
            for t in tallies
        ]
    header = ["Breakdown", "Group", "Projects", "Organisations", "Teams"]
    return Table(f"{data.programme.code} community", header, rows)

"""A programme's lineage: the CORDIS projects of its calls and of the calls before it.

A programme lists call-identifier prefixes and legal-basis codes (``Programme.lineage``,
one per line; IHI: HORIZON-JU-IHI, H2020-JTI-IMI2, H2020-EU.3.1.7, IMI). A project is in
the lineage when its call, its topic or one of its legal-basis codes starts with one of
them, case ignored (services.organisations.cordis.programmes.in_lineage says the same in
Python). Organisation pages and search show each organisation's history in it; admins
edit the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, false, func, or_, select
from sqlalchemy.orm import Session

from models import CordisProject, Participation, Programme
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.organisations.cordis.programmes import (
    MAX_PREFIX_LENGTH,
    MAX_PREFIXES,
    parse_lineage,
)


def prefixes(programme: Programme | Row[Any]) -> list[str]:
    return parse_lineage(programme.lineage)


def _starts(column: Any, prefix: str) -> ColumnElement[bool]:
    escaped = prefix.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.upper(column).like(f"{escaped}%", escape="\\")


def _codes_start(prefix: str) -> ColumnElement[bool]:
    """One of the "; "-separated legal-basis codes starts with `prefix`."""
    escaped = prefix.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    column = func.upper(CordisProject.legal_basis)
    return or_(column.like(f"{escaped}%", escape="\\"), column.like(f"%; {escaped}%", escape="\\"))


def project_condition(wanted: list[str]) -> ColumnElement[bool]:
    """SQL: the CordisProject is in the lineage made of `wanted` prefixes."""
    if not wanted:
        return false()
    return or_(
        *[
            or_(_starts(CordisProject.call, p), _starts(CordisProject.topic, p), _codes_start(p))
            for p in wanted
        ]
    )


def lineage_projects(wanted: list[str]) -> Any:
    """A SELECT of the ids of the lineage's projects (for IN clauses)."""
    return select(CordisProject.id).where(project_condition(wanted))


def organisations_in(wanted: list[str]) -> Any:
    """A SELECT of the ids of organisations with a participation in the lineage."""
    return select(Participation.organisation_id).where(
        Participation.project_id.in_(lineage_projects(wanted))
    )


@dataclass
class History:
    """An organisation's participations in a lineage."""

    projects: int = 0
    first_year: int | None = None
    last_year: int | None = None
    roles: dict[str, int] = field(default_factory=dict)

    @property
    def years(self) -> str:
        if self.first_year is None:
            return ""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}-{self.last_year}"


def year_of(column: Any) -> Any:
    return func.extract("year", column)


def histories(session: Session, wanted: list[str], org_ids: list[int]) -> dict[int, History]:
    """Each organisation's lineage history (only those with one), in one query."""
    if not wanted or not org_ids:
        return {}
    year = year_of(CordisProject.start_date)
    rows = session.execute(
        select(
            Participation.organisation_id,
            Participation.role,
            func.count(func.distinct(Participation.project_id)),
            func.min(year),
            func.max(year),
        )
        .join(CordisProject, CordisProject.id == Participation.project_id)
        .where(Participation.organisation_id.in_(org_ids), project_condition(wanted))
        .group_by(Participation.organisation_id, Participation.role)
    )
    found: dict[int, History] = {}
    for org_id, role, count, first, last in rows:
        h = found.setdefault(org_id, History())
        h.roles[role] = count
        h.projects += count
        for value in (first, last):
            if value is not None:
                y = int(value)
                h.first_year = y if h.first_year is None else min(h.first_year, y)
                h.last_year = y if h.last_year is None else max(h.last_year, y)
    return found


# Built once (the organisation pages read it on every request): rows, not programmes.
_WITH_LINEAGE = (
    select(Programme.id, Programme.code, Programme.lineage)
    .where(Programme.lineage != "")
    .order_by(Programme.code)
)


def with_lineage(session: Session) -> list[Row[Any]]:
    """Programmes that have a lineage, by code: rows of id, code and lineage."""
    return list(session.execute(_WITH_LINEAGE))


def get_programme(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def update_lineage(
    session: Session, ctx: RequestContext, programme_id: int, text: str
) -> Programme:
    """Set a programme's lineage from text (one prefix per line); audited."""
    if not policies.can_edit_lineage(ctx.actor):
        raise PermissionDenied("Only administrators edit a programme's lineage.")
    programme = get_programme(session, programme_id)
    wanted = parse_lineage(text)
    errors = [p for p in wanted if len(p) > MAX_PREFIX_LENGTH or not p.isprintable()]
    if errors or len(wanted) > MAX_PREFIXES:
        message = (
            f"At most {MAX_PREFIXES} prefixes of at most {MAX_PREFIX_LENGTH} printable "
            "characters each."
        )
        raise InvalidInput(message, {"lineage": [message]})
    old = programme.lineage
    programme.lineage = "\n".join(wanted)
    if old != programme.lineage:
        audit.record(session, ctx.actor, "programme.lineage", programme, ip=ctx.client_ip,
                     old=old, new=programme.lineage)  # fmt: skip
    session.flush()
    return programme


def count_in(session: Session, wanted: list[str]) -> tuple[int, int]:
    """(projects, organisations) of the lineage."""
    projects = session.scalar(
        select(func.count()).select_from(CordisProject).where(project_condition(wanted))
    )
    orgs = session.scalar(
        select(func.count(func.distinct(Participation.organisation_id))).where(
            Participation.project_id.in_(lineage_projects(wanted))
        )
    )
    return int(projects or 0), int(orgs or 0)

"""Searching organisations: name (tolerant of accents, case and small typos), PIC, country,
sector, SME, a programme's lineage, and words in expertise or in the texts of projects
they joined.

Names are compared in their normalised form (models.names.normalise) on every database.
Each query word is widened to the known name words within one edit (organisation_name_words,
found by prefix or suffix through an index) and matched as a substring; PostgreSQL serves
the substring tests from a pg_trgm GIN index and ranks by word similarity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Select, Table, and_, case, false, func, insert, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models import CordisProject, NameWord, Organisation, Participation, Programme
from models.cordis import PROJECT_TSV
from models.names import normalise, words
from models.organisations import SECTORS
from services.organisations.countries import resolve_country
from services.organisations.lineage import organisations_in, prefixes

SORTS = {
    "relevance": "Best match",
    "name": "Name",
    "country": "Country",
    "projects": "Most projects",
}


@dataclass(frozen=True)
class OrgQuery:
    """What a person searches for; empty fields do not filter."""

    name: str = ""
    pic: str = ""
    country: str = ""
    sector: str = ""
    sme: bool | None = None
    text: str = ""
    sort: str = "relevance"
    lineage: int | None = None  # a programme id: only organisations in its lineage


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, value: str) -> Any:
    return column.like(f"%{_escape_like(value)}%", escape="\\")


def within_one_edit(a: str, b: str) -> bool:
    """True if a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = [*diff, 0, 0][:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def near_words(session: Session, *query_words: str) -> dict[str, set[str]]:
    """For each query word, the known name words within one edit of it (itself included).

    One query for all words: a word within one edit shares its first or its last half
    with the query word, so prefix and suffix ranges on indexed columns find it.
    """
    found = {w: {w} for w in query_words}
    # SQLite compares bytes, so a range finds a prefix through the index; PostgreSQL's
    # collation may not, so it uses LIKE 'x%' on pattern-ops indexes instead.
    by_range = session.get_bind().dialect.name == "sqlite"
    ranges = []
    for word in query_words:
        if len(word) < 4:
            continue
        half = len(word) // 2
        for column, start in ((NameWord.word, word[:half]), (NameWord.reversed, word[::-1][:half])):
            ranges.append(
                column.between(start, start + "{") if by_range else column.startswith(start)
            )
    if not ranges:
        return found
    lengths = [len(w) for w in query_words]
    rows = session.scalars(
        select(NameWord.word).where(
            or_(*ranges),
            func.length(NameWord.word).between(min(lengths) - 1, max(lengths) + 1),
        )
    )
    for known in rows:
        for word in query_words:
            if len(word) >= 4 and within_one_edit(word, known):
                found[word].add(known)
    return found


def _name_condition(session: Session, name: str) -> tuple[Any, Any] | None:
    """(WHERE condition, relevance expression: lower is better) for a name query.

    Every query word must appear in the name, or a known name word within one edit of it.
    The substring tests use the trigram index on PostgreSQL, which also ranks by word
    similarity (computed only for the rows found: as a filter it is far slower).
    """
    wanted = normalise(name)
    if not wanted:
        return None
    col = Organisation.search_name
    conditions = [
        or_(*[_contains(col, w) for w in sorted(options)])
        for options in near_words(session, *words(wanted)).values()
    ]
    rank: Any = case((col.startswith(wanted), 0), (_contains(col, wanted), 1), else_=2)
    if session.get_bind().dialect.name == "postgresql":
        rank = rank - func.word_similarity(wanted, col)
    return and_(*conditions), rank


def _text_condition(session: Session, phrase: str) -> Any:
    """Organisations whose expertise, or a project they joined, mentions the words."""
    terms = [w for w in phrase.lower().split() if w]
    if not terms:
        return None
    expertise = and_(
        *[
            or_(_contains(func.lower(Organisation.keywords), t),
                _contains(func.lower(Organisation.description), t))
            for t in terms
        ]
    )  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        matches: ColumnElement[bool] = literal_column(PROJECT_TSV).op("@@")(
            func.plainto_tsquery("english", phrase)
        )
    else:
        fields = (CordisProject.title, CordisProject.keywords, CordisProject.euroscivoc,
                  CordisProject.objective)  # fmt: skip
        matches = and_(*[or_(*[_contains(func.lower(f), t) for f in fields]) for t in terms])
    projects = select(CordisProject.id).where(matches)
    joined = select(Participation.organisation_id).where(Participation.project_id.in_(projects))
    return or_(expertise, Organisation.id.in_(joined))


def project_count() -> Any:
    """A correlated count of an organisation's participations (for sorting)."""
    return (
        select(func.count(Participation.id))
        .where(Participation.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )


def search(session: Session, query: OrgQuery) -> Select[tuple[Organisation]]:
    """A SELECT of the organisations matching ``query``, sorted; paginate it."""
    # A NUL byte reads as a space: PostgreSQL text cannot hold one (it would be a 500).
    query = replace(
        query,
        **{f: getattr(query, f).replace("\x00", " ") for f in ("name", "pic", "country", "text")},
    )
    stmt = select(Organisation).where(Organisation.merged_into_id.is_(None))
    rank: Any = None
    if query.name.strip():
        found = _name_condition(session, query.name)
        if found is not None:
            stmt = stmt.where(found[0])
            rank = found[1]
    if query.pic.strip():
        stmt = stmt.where(Organisation.pic == query.pic.strip())
    if query.country.strip():
        stmt = stmt.where(Organisation.country == (resolve_country(query.country) or "??"))
    if query.sector in SECTORS:
        stmt = stmt.where(Organisation.sector == query.sector)
    if query.sme is not None:
        stmt = stmt.where(Organisation.is_sme.is_(query.sme))
    if query.lineage is not None:
        programme = session.get(Programme, query.lineage)
        wanted = prefixes(programme) if programme is not None else []
        stmt = stmt.where(Organisation.id.in_(organisations_in(wanted)) if wanted else false())
    if query.text.strip():
        condition = _text_condition(session, query.text)
        if condition is not None:
            stmt = stmt.where(condition)
    order: list[Any]
    if query.sort == "name":
        order = []
    elif query.sort == "country":
        order = [Organisation.country]
    elif query.sort == "projects":
        order = [project_count().desc()]
    else:
        order = [rank] if rank is not None else []
    return stmt.order_by(*order, Organisation.legal_name, Organisation.id)


def participation_counts(session: Session, org_ids: list[int]) -> dict[int, int]:
    """Number of participations of each organisation (for a page of results)."""
    if not org_ids:
        return {}
    rows = session.execute(
        select(Participation.organisation_id, func.count())
        .where(Participation.organisation_id.in_(org_ids))
        .group_by(Participation.organisation_id)
    )
    return {org_id: count for org_id, count in rows}


def name_words(*names: str | None) -> set[str]:
    """The words of ``names`` worth keeping in the name-word index (3 to 80 letters)."""
    return {w for w in words(*names) if 3 <= len(w) <= 80}


def record_name_words(session: Session, fresh: set[str]) -> None:
    """Add the words of ``fresh`` the name-word index does not hold yet."""
    if not fresh:
        return
    have = set(session.scalars(select(NameWord.word).where(NameWord.word.in_(fresh))))
    missing = [{"word": w, "reversed": w[::-1]} for w in sorted(fresh - have)]
    if missing:
        session.execute(insert(cast(Table, NameWord.__table__)), missing)


def add_name_words(session: Session, *names: str | None) -> None:
    """Record the words of names typed by people (edits, merges) for fuzzy search."""
    record_name_words(session, name_words(*names))

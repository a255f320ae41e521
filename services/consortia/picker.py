"""The organisation picker of the match-request form: find by name or PIC, show by name.

Finding goes through ``services.organisations.search`` (names tolerant of accents and small
typos; a query of digits is a PIC). The ids chosen are shown by name; whatever is not the
id of a known organisation is listed as such, and ``params.normalise_params`` refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation
from models.base import ID_MAX
from services.organisations.search import OrgQuery, search

FOUND_SHOWN = 10
QUERY_MAX = 200


def find(session: Session, q: str | None, limit: int = FOUND_SHOWN) -> list[Organisation]:
    """Organisations matching ``q`` by name, or by PIC when ``q`` is all digits."""
    text = (q or "").replace("\x00", " ").strip()[:QUERY_MAX]
    if len(text) < 2:
        return []
    query = OrgQuery(pic=text) if text.isdigit() else OrgQuery(name=text)
    return list(session.scalars(search(session, query).limit(limit)))


@dataclass
class Chosen:
    """One value of a picker list: its organisation, or the value as sent if none."""

    value: str
    organisation: Organisation | None


def chosen(session: Session, values: Iterable[object]) -> list[Chosen]:
    """The picker's values in the order chosen, each with its organisation if it names one."""
    texts = [str(v) for v in values]
    ids = {int(t) for t in texts if _is_id(t)}
    if not ids:  # the form's usual state: nothing chosen, nothing to ask the database
        return [Chosen(t, None) for t in texts]
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    return [Chosen(t, orgs.get(int(t)) if _is_id(t) else None) for t in texts]


def _is_id(text: str) -> bool:
    return text.isdigit() and 0 < int(text) <= ID_MAX

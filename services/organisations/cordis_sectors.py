"""An organisation's sector from all its CORDIS participation rows: the majority vote.

Every participation row keeps the activity type CORDIS gave it (HES, REC, PRC, PUB, OTH).
The organisation's sector is the sector of its most frequent type, over every row in the
registry, whichever download or import brought it; a tie goes to the type of the most
recent project (latest start date; undated projects count as oldest), then to the
earlier type in ACTIVITY_ORDER. PRC is "sme" or "industry" by the organisation's SME flag.

Rows without a type (CORDIS left it empty, or imported before types were kept) do not
vote; an organisation with no voting row keeps its sector. Left alone as well: a sector
set by hand (``sector_by_hand``), our own labels CORDIS cannot express ("patient") and
organisations merged into another (their rows moved to the one kept).

One set-based UPDATE for the whole registry, run at the end of each import: it writes
only organisations whose vote differs from their sector, so a re-import writes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from models import CordisProject, Organisation, Participation
from models.base import utcnow
from services.organisations.cordis.sectors import ACTIVITY_ORDER, sector_for

# Our own sector labels that CORDIS cannot express: an import never overwrites them.
KEPT_SECTORS = frozenset({"patient"})


def _winners() -> Any:
    """Per organisation, its winning activity type (a subquery: ``org``, ``code``)."""
    P = Participation
    votes = (
        select(
            P.organisation_id.label("org"),
            P.activity_type.label("code"),
            func.count().label("n"),
            func.max(CordisProject.start_date).label("latest"),
        )
        .join(CordisProject, CordisProject.id == P.project_id)
        .where(P.activity_type.in_(ACTIVITY_ORDER))
        .group_by(P.organisation_id, P.activity_type)
        .subquery()
    )
    order = case({code: i for i, code in enumerate(ACTIVITY_ORDER)}, value=votes.c.code)
    rank = func.row_number().over(
        partition_by=votes.c.org,
        order_by=(votes.c.n.desc(), votes.c.latest.desc().nulls_last(), order),
    )
    ranked = select(votes.c.org, votes.c.code, rank.label("rank")).subquery()
    return select(ranked.c.org, ranked.c.code).where(ranked.c.rank == 1).subquery()


def settle_sectors(session: Session) -> int:
    """Give every organisation the sector of its majority activity type; return how many
    changed."""
    won = _winners()
    Org = Organisation
    company = case((Org.is_sme, sector_for("PRC", True)), else_=sector_for("PRC", False))
    sector = case(
        (won.c.code == "PRC", company),
        *[(won.c.code == code, sector_for(code, False)) for code in ACTIVITY_ORDER],
    )
    stmt = (
        update(Org)
        .where(
            Org.id == won.c.org,
            Org.merged_into_id.is_(None),
            Org.sector_by_hand.is_(False),
            Org.sector.not_in(KEPT_SECTORS),
            Org.sector != sector,
        )
        .values(sector=sector, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]

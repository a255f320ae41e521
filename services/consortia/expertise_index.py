"""The expertise index from the database: build, persist, version and cache it.

Build: project texts are read once per project (``cordis_projects``), participations link
organisations to projects, candidates are the organisations that were not merged into
another. The index is written by ``matching.ExpertiseIndex.save``, stored in the database
and copied to ``<instance>/matching/index-<id>-<token>/`` (``index_store``: every host
checks its copy against the row and fetches a missing one), and recorded as an
``ExpertiseIndexVersion`` row with the fingerprint of the data it was built from; the
newest ``ready`` row is current.

Rebuild: ``request_build`` queues a version row and rings ``workers.consortia_tasks.
build_expertise_index`` after the commit. ``refresh_if_stale`` (run by beat every few
minutes, and callable after an import) queues a build when the data fingerprint changed,
so imports and organisation edits reach the index without a hook in their code.

Cache: ``load_index`` keeps loaded indexes per process, keyed by the build's token (never by
a version number, which two databases both have), so a warm worker answers in
milliseconds; a cold process (``partnering suggest``) loads from disk.

Capacity is not frozen into the index: the active-consortium counts change with every
accepted invitation, so match runs read them live (``active_consortia``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, object_session

from matching.index import ExpertiseIndex, build_index
from matching.types import Candidate, ProjectDoc
from models import CordisProject, ExpertiseIndexVersion, Organisation, Participation
from models.base import utcnow
from models.consortia import SuggestedMember
from models.countries import is_eligible, is_eu_member
from services import policies
from services.consortia import index_store
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied, without_paths
from services.notifications.notify import ring
from services.operations import leases

log = logging.getLogger(__name__)

BUILD_TASK = leases.INDEX.task
KEEP_VERSIONS = 2  # ready versions whose files are kept (the current one and its predecessor)
CACHED = 4  # loaded indexes kept per process (by token: one per build, whatever database)
_cache: dict[str, ExpertiseIndex] = {}
_cache_lock = threading.Lock()


# ---- the data the index is built from -----------------------------------------------------
def fingerprint(session: Session) -> str:
    """A cheap hash of everything the index depends on (counts, max ids, last updates)."""
    orgs = session.execute(
        select(func.count(), func.max(Organisation.id), func.max(Organisation.updated_at)).where(
            Organisation.merged_into_id.is_(None)
        )
    ).one()
    projects = session.execute(select(func.count(), func.max(CordisProject.updated_at))).one()
    parts = session.execute(select(func.count(), func.max(Participation.id))).one()
    raw = repr((tuple(orgs), tuple(projects), tuple(parts)))
    return hashlib.sha256(raw.encode()).hexdigest()


def active_consortia(session: Session) -> dict[int, int]:
    """Organisation id -> number of consortia it accepted to join (the capacity count)."""
    rows = session.execute(
        select(SuggestedMember.organisation_id, func.count(SuggestedMember.request_id.distinct()))
        .where(SuggestedMember.status == "accepted")
        .group_by(SuggestedMember.organisation_id)
    )
    return {int(org): int(n) for org, n in rows}


def associated_partners_only(session: Session) -> set[int]:
    """Organisations whose every CORDIS participation is as an associated partner."""
    funded = func.sum(case((Participation.role != "associatedPartner", 1), else_=0))
    stmt = select(Participation.organisation_id).group_by(Participation.organisation_id)
    return {int(o) for o in session.scalars(stmt.having(funded == 0))}


def _split(text: str) -> list[str]:
    return [w.strip() for w in (text or "").replace(",", ";").split(";") if w.strip()]


def load_documents(
    session: Session,
) -> tuple[list[ProjectDoc], list[tuple[int, str]], list[Candidate]]:
    """Projects (texts once each), participations and candidates, read with plain selects."""
    projects = [
        ProjectDoc(
            id=r.id,
            title=r.title or r.acronym or "",
            text=" ".join(x for x in (r.objective, r.euroscivoc) if x),
            keywords=_split(r.keywords),
            topic=r.topic or "",
            call=r.call or "",
            start_year=r.start_date.year if r.start_date else None,
        )
        for r in session.execute(
            select(
                CordisProject.id,
                CordisProject.acronym,
                CordisProject.title,
                CordisProject.objective,
                CordisProject.euroscivoc,
                CordisProject.keywords,
                CordisProject.topic,
                CordisProject.call,
                CordisProject.start_date,
            ).order_by(CordisProject.id)
        )
    ]
    links = [
        (int(o), str(p))
        for o, p in session.execute(
            select(Participation.organisation_id, Participation.project_id).distinct()
        )
    ]
    active = active_consortia(session)
    associated_only = associated_partners_only(session)
    candidates = [
        Candidate(
            id=int(r.id),
            name=r.short_name or r.legal_name,
            sector=r.sector,
            country=r.country,
            is_sme=bool(r.is_sme or r.sector == "sme"),
            pic=r.pic,
            eu_member=is_eu_member(r.country),
            eligible_country=is_eligible(r.country),
            active_consortia=active.get(int(r.id), 0),
            keywords=_split(r.keywords),
            description=r.description or "",
            associated_only=int(r.id) in associated_only,
        )
        for r in session.execute(
            select(
                Organisation.id,
                Organisation.legal_name,
                Organisation.short_name,
                Organisation.sector,
                Organisation.country,
                Organisation.is_sme,
                Organisation.pic,
                Organisation.keywords,
                Organisation.description,
            )
            .where(Organisation.merged_into_id.is_(None))
            .order_by(Organisation.id)
        )
    ]
    return projects, links, candidates


# ---- versions -----------------------------------------------------------------------------
def current_version(session: Session) -> ExpertiseIndexVersion | None:
    return session.scalar(
        select(ExpertiseIndexVersion)
        .where(ExpertiseIndexVersion.status == "ready")
        .order_by(ExpertiseIndexVersion.id.desc())
        .limit(1)
    )


def pending_version(session: Session) -> ExpertiseIndexVersion | None:
    return session.scalar(
        select(ExpertiseIndexVersion)
        .where(ExpertiseIndexVersion.status.in_(("queued", "building")))
        .order_by(ExpertiseIndexVersion.id.desc())
        .limit(1)
    )


def recent_versions(session: Session, limit: int = 10) -> list[ExpertiseIndexVersion]:
    return list(
        session.scalars(
            select(ExpertiseIndexVersion).order_by(ExpertiseIndexVersion.id.desc()).limit(limit)
        )
    )


def request_build(
    session: Session, ctx: RequestContext, reason: str = "requested", *, force: bool = True
) -> ExpertiseIndexVersion:
    """Queue a build (no actor in ``ctx``: the system). A build already queued is reused."""
    actor = ctx.actor
    if actor is not None and not policies.can_build_index(actor):
        raise PermissionDenied("Only administrators can rebuild the expertise index.")
    pending = pending_version(session)
    if pending is not None and pending.cancel_requested_at is None:
        leases.revive_if_dead(session, leases.INDEX, pending)  # never answer with a dead build
        return pending
    version = ExpertiseIndexVersion(
        status="queued",
        reason=reason[:200],
        requested_by_id=actor.id if actor is not None else None,
        fingerprint="" if force else fingerprint(session),
    )
    session.add(version)
    session.flush()
    audit.record(
        session, actor, "expertise_index.requested", version, ip=ctx.client_ip, reason=reason
    )
    ring(session, BUILD_TASK, version.id, f"index-{version.id}")
    return version


def refresh_if_stale(session: Session) -> ExpertiseIndexVersion | None:
    """Queue a build when the data changed since the current index (beat, after imports)."""
    if pending_version(session) is not None:
        return None
    current = current_version(session)
    if current is not None and not current.token:  # built before files were stored
        return request_build(session, RequestContext(None), "index files not stored")
    if current is not None and current.fingerprint == fingerprint(session):
        return None
    if current is None and session.scalar(select(func.count()).select_from(Organisation)) == 0:
        return None
    return request_build(
        session, RequestContext(None), "data changed" if current else "no index yet"
    )


def build_version(
    session: Session,
    version_id: int,
    instance_path: Path | str,
    *,
    checkpoint: Callable[[], None] | None = None,
) -> ExpertiseIndexVersion:
    """Build a queued version into its directory; a finished version is left as it is.

    ``checkpoint`` (the worker commits there) makes "building" visible and ends the read
    transaction before the CPU-bound build, so no lock is held meanwhile.
    """
    version = session.get(ExpertiseIndexVersion, version_id)
    if version is None:
        raise NotFound("No such index version.")
    if version.status not in ("queued", "building"):
        return version
    current = current_version(session)
    fp = fingerprint(session)
    if current is not None and current.fingerprint == fp and version.reason == "data changed":
        version.status, version.finished_at = "unchanged", utcnow()
        version.message = f"The data has not changed since version {current.id}."
        session.flush()
        return version
    version.status, version.fingerprint = "building", fp
    session.flush()
    if checkpoint is not None:
        checkpoint()
    t0 = time.perf_counter()
    try:
        projects, links, candidates = load_documents(session)
        if checkpoint is not None:
            checkpoint()
        index = build_index(projects, links, candidates)
        version = session.get(ExpertiseIndexVersion, version_id) or version
        index_store.store(session, version, index, instance_path)
    except (OSError, ValueError, MemoryError) as exc:
        log.exception("expertise index build %s failed", version_id)
        version = session.get(ExpertiseIndexVersion, version_id) or version
        version.status, version.finished_at = "failed", utcnow()
        version.message = without_paths(f"The build failed: {exc}")
        session.flush()
        return version
    version.status, version.finished_at = "ready", utcnow()
    version.n_candidates, version.n_projects = index.n_candidates, len(index.project_ids)
    version.n_links = int(index.incidence.nnz)
    version.build_seconds = round(time.perf_counter() - t0, 3)
    version.message = ""
    session.flush()
    _remember(version, index)
    index_store.prune(session, instance_path, KEEP_VERSIONS)
    audit.record(session, None, "expertise_index.built", version, seconds=version.build_seconds)
    return version


def build_now(session: Session, ctx: RequestContext, instance_path: Path | str, reason: str):
    """Queue and build at once in this process (CLI)."""
    version = request_build(session, ctx, reason)
    return build_version(session, version.id, instance_path)


# ---- loading ------------------------------------------------------------------------------
def _remember(version: ExpertiseIndexVersion, index: ExpertiseIndex) -> None:
    with _cache_lock:
        _cache[version.token] = index
        while len(_cache) > CACHED:
            del _cache[next(iter(_cache))]  # the oldest loaded


def load_index(version: ExpertiseIndexVersion, instance_path: Path | str) -> ExpertiseIndex:
    """The index of ``version``: from the process cache, else from this host's checked copy
    of its files (fetched from the database when missing or foreign, see index_store)."""
    with _cache_lock:
        cached = _cache.get(version.token) if version.token else None
    if cached is not None:
        return cached
    session = object_session(version)
    if session is None:
        raise Conflict(f"Expertise index version {version.id} is not attached to a session.")
    index = ExpertiseIndex.load(index_store.local_copy(session, version, instance_path))
    _remember(version, index)
    return index


def current_index(
    session: Session, instance_path: Path | str
) -> tuple[ExpertiseIndexVersion, ExpertiseIndex]:
    version = current_version(session)
    if version is None:
        raise Conflict(
            "The expertise index has not been built yet: an administrator can build it on "
            "the Consortia > Expertise index page or with `partnering build-index`."
        )
    return version, load_index(version, instance_path)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def status_summary(session: Session) -> dict[str, Any]:
    current = current_version(session)
    return {
        "current": current,
        "pending": pending_version(session),
        "stale": current is not None and current.fingerprint != fingerprint(session),
    }

"""Import CORDIS files as runs: check the files, record and queue a run, run it, report.

`create_run` refuses a file that is not CORDIS data before anything is written;
`run_import` has :mod:`services.organisations.cordis_writer` do the work, which records
counts and skipped rows (file, line, reason) on the run. A caller that wants progress
visible to others passes ``checkpoint`` (the worker commits there); the CLI runs
everything in one transaction.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from models import ImportIssue, ImportRun
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, without_paths
from services.notifications import notify
from services.operations import leases
from services.organisations.cordis import (
    CordisFileError,
    NotCordisFile,
    read_participations,
    read_projects,
)
from services.organisations.cordis_writer import MAX_ISSUES_KEPT, BatchedImporter, Progress

IMPORT_TASK = leases.IMPORT.task
NAME_INDEX = "ix_organisations_search_name_trgm"  # PostgreSQL's trigram index of names


PROJECT_NAMES = ("project.csv", "project.csv.gz", "projects.csv", "projects.csv.gz")
ORGANISATION_NAMES = ("organization.csv", "organization.csv.gz", "organisation.csv",
                      "organisation.csv.gz")  # fmt: skip


def resolve_download(source: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The (projects, organisations) files of one download: a CORDIS zip (both are its
    members), a folder holding project.csv and organization.csv (plain or .gz), or the
    project.csv of such a folder. Raises InvalidInput naming what is missing."""
    path = Path(source)
    if path.is_file() and zipfile.is_zipfile(path):
        return path, path
    folder = path if path.is_dir() else path.parent
    found = {
        label: next((folder / n for n in names if (folder / n).is_file()), None)
        for label, names in (("projects", PROJECT_NAMES), ("organisations", ORGANISATION_NAMES))
    }
    if path.is_file() and path.name.lower() in PROJECT_NAMES:
        found["projects"] = path
    missing = [label for label, file in found.items() if file is None]
    if missing or not path.exists():
        message = (
            f"{source}: not a CORDIS download: give the zip, or a folder with project.csv "
            f"and organization.csv (plain or .gz); missing: {', '.join(missing) or 'the file'}"
        )
        raise InvalidInput(message, {"download": [message]})
    return found["projects"], found["organisations"]  # type: ignore[return-value]


def check_files(projects: str | os.PathLike[str], organisations: str | os.PathLike[str]) -> None:
    """Raise InvalidInput unless both files open as CORDIS data of the right kind."""
    for label, path, opener in (
        ("projects", projects, read_projects),
        ("organisations", organisations, read_participations),
    ):
        try:
            opener(path).close()
        except NotCordisFile as exc:
            raise InvalidInput(str(exc), {label: [str(exc)]}) from None
        except (CordisFileError, OSError) as exc:
            message = f"The {label} file cannot be read: {exc}"
            raise InvalidInput(message, {label: [message]}) from None


def create_run(
    session: Session,
    ctx: RequestContext,
    projects: str | os.PathLike[str],
    organisations: str | os.PathLike[str],
    *,
    projects_name: str = "",
    organisations_name: str = "",
) -> ImportRun:
    """Check both files and record a queued import run (no actor in ``ctx``: the CLI)."""
    actor = ctx.actor
    if actor is not None and not policies.can_import_cordis(actor):
        raise PermissionDenied("Only administrators can import CORDIS data.")
    check_files(projects, organisations)
    run = ImportRun(
        projects_file=str(projects),
        organisations_file=str(organisations),
        projects_name=(projects_name or os.path.basename(projects))[:300],
        organisations_name=(organisations_name or os.path.basename(organisations))[:300],
        created_by_id=actor.id if actor is not None else None,
        counts={},
    )
    session.add(run)
    session.flush()
    audit.record(session, actor, "cordis.import_queued", run, ip=ctx.client_ip,
                 projects=run.projects_name, organisations=run.organisations_name)  # fmt: skip
    return run


def queue_import(
    session: Session,
    ctx: RequestContext,
    projects: str | os.PathLike[str],
    organisations: str | os.PathLike[str],
    *,
    projects_name: str = "",
    organisations_name: str = "",
) -> ImportRun:
    """Record an import run and have a worker run it once this transaction commits."""
    run = create_run(
        session,
        ctx,
        projects,
        organisations,
        projects_name=projects_name,
        organisations_name=organisations_name,
    )
    notify.ring(session, IMPORT_TASK, run.id)
    return run


def run_import(
    session: Session,
    run_id: int,
    *,
    on_progress: Progress | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> ImportRun:
    """Run a queued import; a finished run is returned untouched (safe to call twice)."""
    run = get_run(session, run_id)
    if run.finished:
        return run
    run.status, run.started_at, run.message = "running", utcnow(), ""
    session.flush()
    importer = BatchedImporter(session, run, on_progress, checkpoint)
    try:
        importer.import_projects()
        importer.import_participations()
    except CordisFileError as exc:
        importer.finish("failed", f"The import stopped: {exc}")
    else:
        importer.finish("done", "")
        if session.get_bind().dialect.name == "postgresql":
            # Fresh statistics, or the planner misjudges the new rows (e.g. seq scans).
            session.execute(text("ANALYZE organisations, participations, cordis_projects"))
            # The name index's new entries wait in its pending list until a vacuum (never,
            # without autovacuum): every name search would read through thousands of them
            # (20 ms instead of 0.3 ms for "karolinska" after a full import).
            session.execute(
                text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": NAME_INDEX}
            )
    return run


def get_run(session: Session, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound("No such import.")
    return run


def listing() -> Select[tuple[ImportRun]]:
    """Every run, newest first; pass to the paginator."""
    return select(ImportRun).order_by(ImportRun.id.desc())


def skipped_rows(session: Session, run: ImportRun, limit: int) -> list[ImportIssue]:
    """The first ``limit`` rows the run skipped, in file order."""
    return list(
        session.scalars(
            select(ImportIssue)
            .where(ImportIssue.run_id == run.id)
            .order_by(ImportIssue.id)
            .limit(limit)
        )
    )


def cancel_import(session: Session, ctx: RequestContext, run_id: int) -> ImportRun:
    """Cancel a queued or running import (administrators); what it wrote stays."""
    if not policies.can_import_cordis(ctx.user):
        raise PermissionDenied("Only administrators can cancel an import.")
    run = get_run(session, run_id)
    if run.status not in leases.IMPORT.live or run.cancel_requested_at is not None:
        raise Conflict(f"Import {run.id} is {run.status}: there is nothing to cancel.")
    note = f"Cancelled by {ctx.user.name}; what it imported is kept."
    state = leases.cancel(session, leases.IMPORT, run, note)
    audit.record(session, ctx.user, "cordis.import_cancelled", run, ip=ctx.client_ip, state=state)
    return run


def mark_failed(session: Session, run_id: int, reason: str) -> None:
    """Record that a run stopped on an unexpected error (what it committed stays)."""
    run = session.get(ImportRun, run_id)
    if run is not None and not run.finished:
        run.status, run.finished_at = "failed", utcnow()
        run.message = without_paths(
            f"The import stopped unexpectedly ({reason}). Running it again resumes it."
        )
        session.flush()


COUNT_LABELS = (
    ("project_records", "project records read"),
    ("projects_created", "projects created"),
    ("projects_updated", "projects updated"),
    ("projects_unchanged", "projects unchanged"),
    ("participation_records", "participation records read"),
    ("organisations_created", "organisations created"),
    ("organisations_updated", "organisations updated"),
    ("organisations_unchanged", "organisations unchanged"),
    ("organisations_merged_away", "organisations merged into another (kept there)"),
    ("participations_created", "participations created"),
    ("participations_updated", "participations updated"),
    ("participations_unchanged", "participations unchanged"),
    ("third_parties_left_out", "third-party rows left out"),
    ("rows_skipped", "rows skipped (see below)"),
)


def report_lines(session: Session, run: ImportRun, limit: int = 50) -> list[str]:
    """The report of a run as text lines: status, counts, then the first skipped rows."""
    lines = [f"Import #{run.id}: {run.status}" + (f" - {run.message}" if run.message else "")]
    for key, label in COUNT_LABELS:
        lines.append(f"  {run.counts.get(key, 0):>9,d}  {label}")
    for issue in skipped_rows(session, run, limit):
        lines.append(f"  {os.path.basename(issue.file)}:{issue.line}: {issue.reason}")
    more = run.issue_count - min(run.issue_count, limit)
    if more:
        lines.append(f"  ... and {more:,d} more skipped rows (kept: {MAX_ISSUES_KEPT:,d} at most)")
    return lines

"""Import CORDIS files: projects once each, organisations by PIC, their participations.

Streaming and batched: rows are read one at a time and written in batches of BATCH with
set-based statements (one SELECT of the existing rows, then bulk INSERT / UPDATE of what
is new or different; inserts go through Core so every row of a batch shares one
multi-row statement), so memory stays flat and a re-import of the same files writes
nothing. Per run the importer keeps only small maps (PIC -> organisation id, hashes of
the keys already seen) to make "first occurrence in the file wins" deterministic.

`create_run` refuses a file that is not CORDIS data before anything is written;
`run_import` does the work and records counts and skipped rows (file, line, reason) on the
run. A caller that wants progress visible to others passes ``checkpoint`` (the worker
commits there); the CLI runs everything in one transaction.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from models import CordisProject, ImportIssue, ImportRun, NameWord, Organisation, Participation
from models.base import utcnow
from models.names import name_key, normalise, words
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.notifications import notify
from services.organisations.cordis import (
    CordisFileError,
    CordisReader,
    NotCordisFile,
    ParticipationRow,
    ProjectRow,
    RowError,
    read_participations,
    read_projects,
    sector_for,
)

BATCH = 1000
MAX_ISSUES_KEPT = 5000
IMPORT_TASK = "workers.import_tasks.run_cordis_import"
PROJECT_SHARE = 0.3  # of the progress bar: projects are read first, participations after

PROJECT_FIELDS = (
    "acronym", "title", "objective", "keywords", "euroscivoc", "status", "call", "topic",
    "topic_title", "funding_scheme", "start_date", "end_date", "total_cost", "eu_contribution",
)  # fmt: skip
ORG_FIELDS = (
    "legal_name", "short_name", "country", "city", "sector", "is_sme", "search_name", "name_key",
)  # fmt: skip
PART_FIELDS = ("position", "eu_contribution", "total_cost", "is_associated_partner", "terminated")
# Our own sector labels that CORDIS cannot express: an import never overwrites them.
KEPT_SECTORS = frozenset({"patient"})

Progress = Callable[[ImportRun], None]


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
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound("No such import.")
    if run.finished:
        return run
    run.status, run.started_at, run.message = "running", utcnow(), ""
    session.flush()
    importer = _Importer(session, run, on_progress, checkpoint)
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
    return run


def mark_failed(session: Session, run_id: int, reason: str) -> None:
    """Record that a run stopped on an unexpected error (what it committed stays)."""
    run = session.get(ImportRun, run_id)
    if run is not None and not run.finished:
        run.status, run.finished_at = "failed", utcnow()
        run.message = f"The import stopped unexpectedly ({reason}). Running it again resumes it."
        session.flush()


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) != 0
    return old != new


def _cut(text: str | None, length: int) -> str:
    return (text or "")[:length]


class _Importer:
    def __init__(
        self,
        session: Session,
        run: ImportRun,
        on_progress: Progress | None,
        checkpoint: Callable[[], None] | None,
    ) -> None:
        self.s = session
        self.run = run
        self.on_progress = on_progress
        self.checkpoint = checkpoint
        self.counts: Counter[str] = Counter()
        self.org_ids: dict[str, int] = {}  # PIC -> organisation id (merges followed)
        self.seen_projects: set[str] = set()
        self.seen_parts: set[int] = set()  # hashes of (project, PIC, role)
        self.known_words: set[str] = set()
        self.issues: list[dict[str, Any]] = []

    # -- bookkeeping -------------------------------------------------------------------
    def issue(self, file: str, line: int, reason: str) -> None:
        self.counts["rows_skipped"] += 1
        if self.counts["rows_skipped"] <= MAX_ISSUES_KEPT:
            self.issues.append(
                {"run_id": self.run.id, "file": _cut(file, 300), "line": line, "reason": reason}
            )

    def step(self, phase: str, reader: CordisReader[Any], start: float, share: float) -> None:
        if self.issues:
            self.s.execute(insert(ImportIssue.__table__), self.issues)
            self.issues = []
        run = self.run
        run.phase = phase
        run.progress = int(100 * (start + share * reader.progress().fraction))
        run.counts = dict(self.counts)
        run.issue_count = self.counts["rows_skipped"]
        self.s.flush()
        if self.on_progress is not None:
            self.on_progress(run)
        if self.checkpoint is not None:
            self.checkpoint()

    def finish(self, status: str, message: str) -> None:
        if self.issues:
            self.s.execute(insert(ImportIssue.__table__), self.issues)
            self.issues = []
        run = self.run
        run.status, run.message, run.finished_at = status, message, utcnow()
        run.phase = "finished" if status == "done" else "stopped"
        run.progress = 100 if status == "done" else run.progress
        run.counts = dict(self.counts)
        run.issue_count = self.counts["rows_skipped"]
        self.s.flush()
        if self.on_progress is not None:
            self.on_progress(run)

    # -- projects ------------------------------------------------------------------------
    def import_projects(self) -> None:
        with read_projects(self.run.projects_file) as reader:
            batch: dict[str, dict[str, Any]] = {}
            for row in reader:
                self.counts["project_records"] += 1
                if isinstance(row, RowError):
                    self.issue(row.file, row.line, row.reason)
                    continue
                values = self._project_values(row, reader.file)
                if values is not None:
                    batch[row.project_id] = values
                if len(batch) >= BATCH:
                    self._write_projects(batch)
                    batch = {}
                    self.step("projects", reader, 0.0, PROJECT_SHARE)
            self._write_projects(batch)
            self.step("projects", reader, 0.0, PROJECT_SHARE)

    def _project_values(self, row: ProjectRow, file: str) -> dict[str, Any] | None:
        if len(row.project_id) > 20:
            self.issue(file, row.line, f"project id {row.project_id[:30]!r} is too long")
            return None
        if row.project_id in self.seen_projects:
            self.issue(file, row.line, f"project {row.project_id} appears twice (first kept)")
            return None
        self.seen_projects.add(row.project_id)
        return {
            "acronym": _cut(row.acronym, 100),
            "title": row.title,
            "objective": row.objective,
            "keywords": "; ".join(row.keywords),
            "euroscivoc": "; ".join(row.euroscivoc),
            "status": _cut(row.status, 30),
            "call": _cut(row.call, 120),
            "topic": _cut(row.topic, 200),
            "topic_title": row.topic_title,
            "funding_scheme": _cut(row.funding_scheme, 120),
            "start_date": row.start_date,
            "end_date": row.end_date,
            "total_cost": row.total_cost,
            "eu_contribution": row.eu_contribution,
        }

    def _write_projects(self, batch: dict[str, dict[str, Any]]) -> None:
        if not batch:
            return
        cols = [getattr(CordisProject, f) for f in PROJECT_FIELDS]
        existing = {
            r.id: r
            for r in self.s.execute(
                select(CordisProject.id, *cols).where(CordisProject.id.in_(list(batch)))
            )
        }
        new, changed = [], []
        now = utcnow()
        for project_id, values in batch.items():
            old = existing.get(project_id)
            if old is None:
                new.append({"id": project_id, **values, "updated_at": now})
            elif any(_differs(getattr(old, f), values[f]) for f in PROJECT_FIELDS):
                changed.append({"id": project_id, **values, "updated_at": now})
        if new:
            self.s.execute(insert(CordisProject.__table__), new)
        if changed:
            self.s.execute(update(CordisProject), changed)
        self.counts["projects_created"] += len(new)
        self.counts["projects_updated"] += len(changed)
        self.counts["projects_unchanged"] += len(batch) - len(new) - len(changed)

    # -- participations ------------------------------------------------------------------
    def import_participations(self) -> None:
        with read_participations(self.run.organisations_file) as reader:
            batch: list[ParticipationRow] = []
            for row in reader:
                self.counts["participation_records"] += 1
                if isinstance(row, RowError):
                    self.issue(row.file, row.line, row.reason)
                    continue
                if self._keep(row, reader.file):
                    batch.append(row)
                if len(batch) >= BATCH:
                    self._write_participations(batch, reader.file)
                    batch = []
                    self.step("organisations", reader, PROJECT_SHARE, 1 - PROJECT_SHARE)
            self._write_participations(batch, reader.file)
            self.step("organisations", reader, PROJECT_SHARE, 1 - PROJECT_SHARE)

    def _keep(self, row: ParticipationRow, file: str) -> bool:
        if row.role == "thirdParty":
            self.counts["third_parties_left_out"] += 1
            return False
        if len(row.pic) > 20:
            self.issue(file, row.line, f"PIC {row.pic[:30]!r} is too long")
            return False
        if not row.name:
            self.issue(file, row.line, "missing organisation name")
            return False
        if row.country is None and row.pic not in self.org_ids:
            self.issue(file, row.line, "missing country")
            return False
        key = hash((row.project_id, row.pic, row.role))
        if key in self.seen_parts:
            self.issue(
                file,
                row.line,
                f"PIC {row.pic} appears twice in project {row.project_id} as {row.role} "
                "(first kept)",
            )
            return False
        self.seen_parts.add(key)
        return True

    def _write_participations(self, rows: list[ParticipationRow], file: str) -> None:
        if not rows:
            return
        fresh: dict[str, ParticipationRow] = {}
        for row in rows:
            if row.pic not in self.org_ids and row.pic not in fresh:
                fresh[row.pic] = row
        if fresh:
            self._write_organisations(fresh)
        # Projects of this run's file are known; others may come from an earlier import.
        others = {r.project_id for r in rows} - self.seen_projects
        known = self.seen_projects
        if others:
            found = self.s.scalars(select(CordisProject.id).where(CordisProject.id.in_(others)))
            known = known | set(found)
        wanted: dict[tuple[str, int, str], dict[str, Any]] = {}
        for row in rows:
            if row.project_id not in known:
                self.issue(file, row.line, f"project {row.project_id} is not a known project")
                continue
            org_id = self.org_ids.get(row.pic)
            if org_id is None:  # its organisation row was refused (reported already)
                continue
            wanted[(row.project_id, org_id, row.role)] = {
                "position": row.order,
                "eu_contribution": row.eu_contribution,
                "total_cost": row.total_cost,
                "is_associated_partner": row.role == "associatedPartner",
                "terminated": row.terminated,
            }
        if wanted:
            self._upsert_participations(wanted)

    def _upsert_participations(self, wanted: dict[tuple[str, int, str], dict[str, Any]]) -> None:
        P = Participation
        existing = {
            (r.project_id, r.organisation_id, r.role): r
            for r in self.s.execute(
                select(P.id, P.project_id, P.organisation_id, P.role, *[
                    getattr(P, f) for f in PART_FIELDS
                ]).where(
                    P.project_id.in_({k[0] for k in wanted}),
                    P.organisation_id.in_({k[1] for k in wanted}),
                )
            )
        }  # fmt: skip
        new, changed = [], []
        for (project_id, org_id, role), values in wanted.items():
            old = existing.get((project_id, org_id, role))
            if old is None:
                new.append(
                    {"project_id": project_id, "organisation_id": org_id, "role": role, **values}
                )
            elif any(_differs(getattr(old, f), values[f]) for f in PART_FIELDS):
                changed.append({"id": old.id, **values})
        if new:
            self.s.execute(insert(Participation.__table__), new)
        if changed:
            self.s.execute(update(Participation), changed)
        self.counts["participations_created"] += len(new)
        self.counts["participations_updated"] += len(changed)
        self.counts["participations_unchanged"] += len(wanted) - len(new) - len(changed)

    def _write_organisations(self, fresh: dict[str, ParticipationRow]) -> None:
        Org = Organisation
        cols = [getattr(Org, f) for f in ORG_FIELDS]
        existing = {
            r.pic: r
            for r in self.s.execute(
                select(Org.id, Org.pic, Org.merged_into_id, *cols).where(Org.pic.in_(list(fresh)))
            )
        }
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        now = utcnow()
        for pic, row in fresh.items():
            old = existing.get(pic)
            values = self._org_values(row)
            if old is None:
                if row.country is None:
                    continue  # reported by _keep only for unknown PICs; defensive
                new.append(
                    {"pic": pic, **values, "description": "", "keywords": "",
                     "is_efpia_member": False, "created_at": now, "updated_at": now}
                )  # fmt: skip
                continue
            self.org_ids[pic] = old.merged_into_id or old.id
            if old.merged_into_id is not None:
                self.counts["organisations_merged_away"] += 1
                continue
            if old.sector in KEPT_SECTORS:
                values["sector"] = old.sector
            if values["country"] is None:
                values["country"] = old.country
            if any(_differs(getattr(old, f), values[f]) for f in ORG_FIELDS):
                changed.append({"id": old.id, **values, "updated_at": now})
            else:
                self.counts["organisations_unchanged"] += 1
        if new:
            returning = insert(Org.__table__).returning(Org.id, Org.pic)
            for org_id, pic in self.s.execute(returning, new):
                self.org_ids[pic] = org_id
        if changed:
            self.s.execute(update(Org), changed)
        self.counts["organisations_created"] += len(new)
        self.counts["organisations_updated"] += len(changed)
        self._add_words(v["legal_name"] for v in new + changed)

    @staticmethod
    def _org_values(row: ParticipationRow) -> dict[str, Any]:
        legal = _cut(row.name, 300)
        short = _cut(row.short_name, 120) or None
        return {
            "legal_name": legal,
            "short_name": short,
            "country": row.country,
            "city": _cut(row.city, 120) or None,
            "sector": sector_for(row.activity_type, row.is_sme),
            "is_sme": row.is_sme,
            "search_name": normalise(legal, short),
            "name_key": name_key(legal),
        }

    def _add_words(self, names: Iterable[str]) -> None:
        fresh = {w for name in names for w in words(name) if 3 <= len(w) <= 80}
        fresh -= self.known_words
        if not fresh:
            return
        self.known_words |= fresh
        have = set(self.s.scalars(select(NameWord.word).where(NameWord.word.in_(fresh))))
        missing = [{"word": w, "reversed": w[::-1]} for w in sorted(fresh - have)]
        if missing:
            self.s.execute(insert(NameWord.__table__), missing)


def add_name_words(session: Session, *names: str | None) -> None:
    """Record the words of names typed by people (edits, merges) for fuzzy search."""
    fresh = {w for w in words(*names) if 3 <= len(w) <= 80}
    if not fresh:
        return
    have = set(session.scalars(select(NameWord.word).where(NameWord.word.in_(fresh))))
    missing = [{"word": w, "reversed": w[::-1]} for w in sorted(fresh - have)]
    if missing:
        session.execute(insert(NameWord.__table__), missing)


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
    issues = session.scalars(
        select(ImportIssue)
        .where(ImportIssue.run_id == run.id)
        .order_by(ImportIssue.id)
        .limit(limit)
    )
    for issue in issues:
        lines.append(f"  {os.path.basename(issue.file)}:{issue.line}: {issue.reason}")
    more = run.issue_count - min(run.issue_count, limit)
    if more:
        lines.append(f"  ... and {more:,d} more skipped rows (kept: {MAX_ISSUES_KEPT:,d} at most)")
    return lines

"""Writing one CORDIS import run: projects once each, organisations by PIC, their
participations.

Streaming and batched: rows are read one at a time and written in batches of BATCH with
set-based statements (one SELECT of the existing rows, then bulk INSERT / UPDATE of what
is new or different; inserts go through Core so every row of a batch shares one
multi-row statement), so memory stays flat and a re-import of the same files writes
nothing. Per run the importer keeps only small maps (PIC -> organisation id, hashes of
the keys already seen) to make "first occurrence in the file wins" deterministic.

An organisation's name, country, city and SME flag come from its first row in the file;
its sector does not: each participation keeps its activity type, and once the rows are
written one statement gives every organisation the sector of its most frequent type over
the whole registry (services.organisations.cordis_sectors). A new organisation starts
with the sector of its first row until then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from models import CordisProject, ImportIssue, ImportRun, Organisation, Participation
from models.base import utcnow
from models.names import name_key, normalise
from services.core.errors import without_paths
from services.organisations.cordis import (
    ParticipationRow,
    ProjectRow,
    RowError,
    read_participations,
    read_projects,
    sector_for,
)
from services.organisations.cordis.programmes import framework_for, funding_body_for
from services.organisations.cordis.reader import ReadProgress
from services.organisations.cordis.side import load_side_data
from services.organisations.cordis_sectors import settle_sectors
from services.organisations.search import name_words, record_name_words

BATCH = 1000
MAX_ISSUES_KEPT = 5000
PROJECT_SHARE = 0.3  # of the progress bar: projects are read first, participations after

PROJECT_FIELDS = (
    "acronym", "title", "objective", "keywords", "euroscivoc", "status", "call", "topic",
    "topic_title", "funding_scheme", "start_date", "end_date", "total_cost", "eu_contribution",
    "framework_programme", "funding_body", "legal_basis",
)  # fmt: skip
# What a row sets on a known organisation; its sector is the registry's vote (settle_sectors).
ORG_FIELDS = (
    "legal_name", "short_name", "country", "city", "is_sme", "search_name", "name_key",
)  # fmt: skip
PART_FIELDS = (
    "position", "eu_contribution", "total_cost", "is_associated_partner", "terminated",
    "activity_type",
)  # fmt: skip

Progress = Callable[[ImportRun], None]


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) != 0
    return old != new


def _cut(text: str | None, length: int) -> str:
    return (text or "")[:length]


class BatchedImporter:
    """Writes one run's files; ``finish`` records the outcome on the run."""

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

    def step(self, phase: str, progress: ReadProgress, start: float, share: float) -> None:
        if self.issues:
            self.s.execute(insert(cast(Table, ImportIssue.__table__)), self.issues)
            self.issues = []
        run = self.run
        run.phase = phase
        run.progress = int(100 * (start + share * progress.fraction))
        run.counts = dict(self.counts)
        run.issue_count = self.counts["rows_skipped"]
        self.s.flush()
        if self.on_progress is not None:
            self.on_progress(run)
        if self.checkpoint is not None:
            self.checkpoint()

    def finish(self, status: str, message: str) -> None:
        # Also after a file error: the rows written so far vote.
        self.counts["organisation_sectors_updated"] = settle_sectors(self.s)
        if self.issues:
            self.s.execute(insert(cast(Table, ImportIssue.__table__)), self.issues)
            self.issues = []
        run = self.run
        run.status, run.message, run.finished_at = status, without_paths(message), utcnow()
        run.phase = "finished" if status == "done" else "stopped"
        run.progress = 100 if status == "done" else run.progress
        run.counts = dict(self.counts)
        run.issue_count = self.counts["rows_skipped"]
        self.s.flush()
        if self.on_progress is not None:
            self.on_progress(run)

    # -- projects ------------------------------------------------------------------------
    def import_projects(self) -> None:
        side = load_side_data(self.run.projects_file)
        with read_projects(self.run.projects_file, side=side) as reader:
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
                    self.step("projects", reader.progress(), 0.0, PROJECT_SHARE)
            self._write_projects(batch)
            self.step("projects", reader.progress(), 0.0, PROJECT_SHARE)

    def _project_values(self, row: ProjectRow, file: str) -> dict[str, Any] | None:
        if len(row.project_id) > 20:
            self.issue(file, row.line, f"project id {row.project_id[:30]!r} is too long")
            return None
        if row.project_id in self.seen_projects:
            self.issue(file, row.line, f"project {row.project_id} appears twice (first kept)")
            return None
        self.seen_projects.add(row.project_id)
        call = _cut(row.call, 120)
        framework = framework_for(row.framework, call, row.legal_basis)
        return {
            "acronym": _cut(row.acronym, 100),
            "title": row.title,
            "objective": row.objective,
            "keywords": "; ".join(row.keywords),
            "euroscivoc": "; ".join(row.euroscivoc),
            "status": _cut(row.status, 30),
            "call": call,
            "topic": _cut(row.topic, 200),
            "topic_title": row.topic_title,
            "funding_scheme": _cut(row.funding_scheme, 120),
            "start_date": row.start_date,
            "end_date": row.end_date,
            "total_cost": row.total_cost,
            "eu_contribution": row.eu_contribution,
            "framework_programme": framework,
            "funding_body": funding_body_for(framework, call),
            "legal_basis": "; ".join(row.legal_basis),
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
            self.s.execute(insert(cast(Table, CordisProject.__table__)), new)
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
                    self.step("organisations", reader.progress(), PROJECT_SHARE, 1 - PROJECT_SHARE)
            self._write_participations(batch, reader.file)
            self.step("organisations", reader.progress(), PROJECT_SHARE, 1 - PROJECT_SHARE)

    def _keep(self, row: ParticipationRow, file: str) -> bool:
        if row.role == "thirdParty":
            self.counts["third_parties_left_out"] += 1
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
                "activity_type": row.activity_type,
            }
        if wanted:
            self._upsert_participations(wanted)

    def _upsert_participations(self, wanted: dict[tuple[str, int, str], dict[str, Any]]) -> None:
        # By project only: a batch's projects have a few dozen members each, while the
        # organisations of a batch (CNRS, Fraunhofer...) may have thousands of projects.
        P = Participation
        existing = {
            (r.project_id, r.organisation_id, r.role): r
            for r in self.s.execute(
                select(P.id, P.project_id, P.organisation_id, P.role, *[
                    getattr(P, f) for f in PART_FIELDS
                ]).where(P.project_id.in_({k[0] for k in wanted}))
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
            self.s.execute(insert(cast(Table, Participation.__table__)), new)
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
                    {"pic": pic, **values, "sector": sector_for(row.activity_type, row.is_sme),
                     "description": "", "keywords": "",
                     "is_efpia_member": False, "created_at": now, "updated_at": now}
                )  # fmt: skip
                continue
            self.org_ids[pic] = old.merged_into_id or old.id
            if old.merged_into_id is not None:
                self.counts["organisations_merged_away"] += 1
                continue
            if values["country"] is None:
                values["country"] = old.country
            if any(_differs(getattr(old, f), values[f]) for f in ORG_FIELDS):
                changed.append({"id": old.id, **values, "updated_at": now})
            else:
                self.counts["organisations_unchanged"] += 1
        if new:
            returning = insert(cast(Table, Org.__table__)).returning(Org.id, Org.pic)
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
            "is_sme": row.is_sme,
            "search_name": normalise(legal, short),
            "name_key": name_key(legal),
        }

    def _add_words(self, names: Iterable[str]) -> None:
        fresh = name_words(*names) - self.known_words
        if fresh:
            self.known_words |= fresh
            record_name_words(self.s, fresh)

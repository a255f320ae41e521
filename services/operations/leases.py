"""Leases of background jobs: match requests, index builds and web imports never stay stuck.

The life of a job row (a model with the ``models.jobs.Leased`` columns):

- ``claim``: a worker takes a *queued* row (one conditional UPDATE, so two workers never
  both take it): the running status, ``attempts + 1``, its ``lease_owner`` id and
  ``lease_expires_at`` (now + JOB_LEASE_SECONDS). A row already tried JOB_MAX_TRIES times
  is failed instead.
- While it runs the worker renews the lease: a keeper thread every JOB_RENEW_SECONDS (CPU-
  bound stretches have no checkpoint), and every progress checkpoint. A checkpoint that
  finds a cancel requested, or the lease gone to someone else, raises ``JobStopped``.
- The outcome is committed only by the lease holder (``release`` is checked in the same
  transaction), so a worker that lost its lease while stalled writes nothing.
- ``sweep`` (beat, or the embedded scheduler, every JOB_SWEEP_SECONDS): a running row whose
  lease ran out lost its worker (killed, out of memory, host gone). It is queued and rung
  again, or failed with a message the user can act on after its last try, or cancelled if
  a cancel was asked meanwhile. A queued row nobody took for RING_AGAIN leases (the broker
  lost the message) is rung again. Duplicate messages are harmless: claim takes a row once.
- ``cancel``: a queued row is cancelled at once; a running one gets ``cancel_requested_at``
  and its worker stops at the next checkpoint.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import ExpertiseIndexVersion, ImportRun, MatchRequest
from models.base import utcnow
from services.core.config import Settings
from services.core.errors import NotFound
from services.notifications.notify import ring

log = logging.getLogger(__name__)
SessionScope = Callable[[], AbstractContextManager[Session]]
RING_AGAIN = 5  # leases a queued job may wait for a worker before it is rung again


@dataclass(frozen=True)
class JobKind:
    """How one kind of job row is run and told about."""

    name: str
    model: type[Any]
    task: str  # the task rung with the row's id
    running: str  # its status while a worker holds it
    note: str  # the text column the user reads ("error" or "message")
    label: str  # "The computation", "The build", "The import"
    again: str  # what the user can do once the last try failed
    missing: str  # the task's error when its row does not exist

    @property
    def live(self) -> tuple[str, str]:
        return ("queued", self.running)


MATCH = JobKind(
    "match",
    MatchRequest,
    "workers.consortia_tasks.run_match",
    "running",
    "error",
    "The computation",
    "Ask again to start a new run; if it keeps stopping, tell an administrator (a worker "
    "may need more memory).",
    "No such match request.",
)
INDEX = JobKind(
    "index",
    ExpertiseIndexVersion,
    "workers.consortia_tasks.build_expertise_index",
    "building",
    "message",
    "The build",
    "Rebuild the index to try again; if it keeps stopping, tell an administrator (a worker "
    "may need more memory).",
    "No such index version.",
)
IMPORT = JobKind(
    "import",
    ImportRun,
    "workers.import_tasks.run_cordis_import",
    "running",
    "message",
    "The import",
    "What it imported is kept: start the same import again to complete it.",
    "No such import.",
)
KINDS = (MATCH, INDEX, IMPORT)


class JobStopped(BaseException):
    """Raised at a checkpoint: the job was cancelled, or its lease went to another worker.

    A BaseException (like asyncio.CancelledError) so that the services' catch-all handlers,
    which turn an engine bug into a failed job, let it through to the task.
    """

    def __init__(self, cancelled: bool) -> None:
        super().__init__("cancelled" if cancelled else "lease lost")
        self.cancelled = cancelled


def owner_id(hostname: str) -> str:
    """A worker's id for one claim: host, process and a random part (never reused)."""
    return f"{hostname[:150]}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def host_of(owner: str) -> str:
    return owner.split("/", 1)[0] or "an unknown host"


def retry_note(row: Any, max_tries: int) -> str:
    """What the page says of a job that was retried ("" for a first try)."""
    if row.attempts <= 1:
        return ""
    return f"Retried after a worker stopped (attempt {row.attempts} of {max_tries})."


def _exhausted(kind: JobKind, row: Any) -> str:
    return (
        f"{kind.label} stopped {row.attempts} times because its worker stopped (killed, "
        f"restarted or out of memory; last on {host_of(row.lease_owner)}). {kind.again}"
    )


def _finish(
    session: Session, kind: JobKind, job_id: int, status: str, note: str, where: dict[str, Any]
) -> bool:
    """Set a final status if the row is still as ``where`` says; True when it was."""
    model = kind.model
    stmt = update(model).where(model.id == job_id)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    values = {"status": status, kind.note: note, "finished_at": utcnow(), "lease_owner": ""}
    result = session.execute(
        stmt.values(lease_expires_at=None, **values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


# ---- the worker's side ---------------------------------------------------------------------
def claim(session: Session, settings: Settings, kind: JobKind, job_id: int, owner: str) -> str:
    """Take a queued job: "claimed", or why not ("failed", or its status); a row that does
    not exist is an error of the caller (NotFound, so the task run records it)."""
    model = kind.model
    row = session.get(model, job_id, populate_existing=True)
    if row is None:
        raise NotFound(kind.missing)
    if row.status != "queued":
        return str(row.status)  # done, cancelled, or another worker holds it
    if row.attempts >= settings.job_max_tries:
        _finish(session, kind, job_id, "failed", _exhausted(kind, row), {"status": "queued"})
        return "failed"
    now = utcnow()
    result = session.execute(
        update(model)
        .where(model.id == job_id, model.status == "queued")
        .values(
            status=kind.running,
            attempts=model.attempts + 1,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=settings.job_lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    return "claimed" if result.rowcount == 1 else "taken"  # type: ignore[attr-defined]


def extend(session: Session, settings: Settings, kind: JobKind, job_id: int, owner: str) -> bool:
    """Renew the lease; False when this worker no longer holds it."""
    model = kind.model
    result = session.execute(
        update(model)
        .where(model.id == job_id, model.lease_owner == owner, model.status == kind.running)
        .values(lease_expires_at=utcnow() + timedelta(seconds=settings.job_lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release(session: Session, kind: JobKind, job_id: int, owner: str) -> None:
    """Give the lease back with the outcome (same transaction); raise if it was lost."""
    model = kind.model
    result = session.execute(
        update(model)
        .where(model.id == job_id, model.lease_owner == owner)
        .values(lease_owner="", lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("%s %s: lease lost before the outcome was recorded", kind.name, job_id)
        raise JobStopped(cancelled=False)


class Lease:
    """A claimed job: its checkpoints, and a keeper thread renewing it meanwhile."""

    def __init__(
        self, scope: SessionScope, settings: Settings, kind: JobKind, job_id: int, owner: str
    ) -> None:
        self.scope, self.settings, self.kind = scope, settings, kind
        self.job_id, self.owner = job_id, owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"lease-{kind.name}", daemon=True)

    def _keep(self) -> None:
        while not self._stop.wait(self.settings.job_renew_seconds):
            try:
                with self.scope() as session:
                    if not extend(session, self.settings, self.kind, self.job_id, self.owner):
                        return  # finished, cancelled or taken over: nothing left to keep
            except Exception:  # e.g. the SQLite write lock held by the job itself
                log.warning("could not renew the lease of %s %s", self.kind.name, self.job_id)

    def checkpoint(self, session: Session) -> Callable[[], None]:
        """The job's checkpoint: renew, stop if cancelled or lost, else commit progress."""

        def check() -> None:
            kind, model = self.kind, self.kind.model
            if not extend(session, self.settings, kind, self.job_id, self.owner):
                raise JobStopped(cancelled=False)
            if session.scalar(select(model.cancel_requested_at).where(model.id == self.job_id)):
                raise JobStopped(cancelled=True)
            session.commit()

        return check

    @contextmanager
    def kept(self) -> Iterator[Lease]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=10)


def run_leased(
    scope: SessionScope,
    settings: Settings,
    kind: JobKind,
    job_id: int,
    hostname: str,
    work: Callable[[Session, Callable[[], None]], str],
) -> str:
    """Claim the job, run ``work(session, checkpoint)`` under its lease, commit its outcome
    only while the lease is ours; return the outcome or why nothing ran."""
    owner = owner_id(hostname)
    with scope() as session:
        claimed = claim(session, settings, kind, job_id, owner)
    if claimed != "claimed":
        return claimed
    lease = Lease(scope, settings, kind, job_id, owner)
    try:
        with lease.kept(), scope() as session:
            outcome = work(session, lease.checkpoint(session))
            release(session, kind, job_id, owner)
            return outcome
    except JobStopped as stop:
        if not stop.cancelled:
            return "lease lost"
    with scope() as session:
        note = "Cancelled while it ran: it stopped at its next checkpoint."
        _finish(session, kind, job_id, "cancelled", note, {"lease_owner": owner})
    return "cancelled"


# ---- the sweep and the user's side ---------------------------------------------------------
def _requeue(session: Session, kind: JobKind, row: Any, now: datetime) -> None:
    row.status, row.lease_owner, row.lease_expires_at, row.rung_at = "queued", "", None, now
    ring(session, kind.task, row.id)


def revive_if_dead(session: Session, kind: JobKind, row: Any) -> bool:
    """Queue again (and ring) a running job whose lease ran out; True if it was dead.

    Asking for the same job again calls this, so it never answers with a dead job; the claim
    enforces the number of tries.
    """
    now = utcnow()
    if not is_dead(kind, row, now):
        return False
    session.refresh(row, with_for_update=True)  # locked (PostgreSQL) against a sweep meanwhile
    if not is_dead(kind, row, now):
        return False
    _requeue(session, kind, row, now)
    session.flush()
    return True


def sweep(session: Session, settings: Settings) -> dict[str, int]:
    """Recover jobs whose worker died and queued jobs nobody took (beat runs it)."""
    now = utcnow()
    counts = {"requeued": 0, "failed": 0, "cancelled": 0, "rung": 0}
    ring_again = now - timedelta(seconds=settings.job_lease_seconds * RING_AGAIN)
    for kind in KINDS:
        model = kind.model
        expired = session.scalars(
            select(model)
            .where(model.status == kind.running, model.lease_expires_at < now)
            .order_by(model.id)
            .with_for_update(skip_locked=True)
        ).all()
        for row in expired:
            if row.cancel_requested_at is not None:
                row.status, row.finished_at = "cancelled", now
                setattr(row, kind.note, "Cancelled; its worker had stopped.")
                counts["cancelled"] += 1
            elif row.attempts >= settings.job_max_tries:
                row.status, row.finished_at = "failed", now
                setattr(row, kind.note, _exhausted(kind, row))
                counts["failed"] += 1
            else:
                _requeue(session, kind, row, now)
                counts["requeued"] += 1
            log.warning("%s %s: worker %s stopped; now %s", kind.name, row.id, row.lease_owner,
                        row.status)  # fmt: skip
        lost = session.scalars(
            select(model)
            .where(
                model.status == "queued",
                func.coalesce(model.rung_at, model.created_at) < ring_again,
            )
            .with_for_update(skip_locked=True)
        ).all()
        for row in lost:
            _requeue(session, kind, row, now)
            counts["rung"] += 1
    session.flush()
    return counts


def cancel(session: Session, kind: JobKind, row: Any, note: str) -> str:
    """Cancel a queued job at once, or ask its worker to stop; return the new state.

    Raises nothing: the caller checked permissions and that the job is still live.
    """
    model = kind.model
    if _finish(session, kind, row.id, "cancelled", note, {"status": "queued"}):
        session.refresh(row)
        return "cancelled"
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.status == kind.running)
        .values(cancel_requested_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return "stopping" if result.rowcount == 1 else str(row.status)  # type: ignore[attr-defined]


def is_dead(kind: JobKind, row: Any, now: datetime | None = None) -> bool:
    """A running job whose lease ran out (its worker stopped; the sweep will act)."""
    expires = row.lease_expires_at
    return row.status == kind.running and expires is not None and expires < (now or utcnow())

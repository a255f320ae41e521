"""Runs of background tasks, kept small for the admin view of background work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import TaskRun
from models.base import utcnow
from services.core.errors import without_paths

KEEP = timedelta(days=7)
LOST_AFTER = timedelta(hours=1)


def start(session: Session, task: str, task_id: str = "", hostname: str = "") -> TaskRun:
    run = TaskRun(task=task, task_id=task_id[:64], hostname=hostname[:200], status="running")
    session.add(run)
    session.flush()
    return run


def finish(session: Session, run_id: int, ok: bool, detail: str = "") -> None:
    run = session.get(TaskRun, run_id)
    if run is not None:
        run.status = "succeeded" if ok else "failed"
        run.detail = without_paths(detail)[:4000]
        run.finished_at = utcnow()


def failed(session: Session, task: str, task_id: str, hostname: str, detail: str) -> TaskRun:
    """Record a task that failed outside a tracked run (e.g. the database was down)."""
    run = start(session, task, task_id, hostname)
    run.status = "failed"
    run.detail = without_paths(detail)[:4000]
    run.finished_at = utcnow()
    return run


def prune(session: Session) -> int:
    """Forget finished runs older than a week, and close runs whose worker died (the sweep
    calls this)."""
    session.execute(
        update(TaskRun)
        .where(TaskRun.status == "running", TaskRun.started_at < utcnow() - LOST_AFTER)
        .values(status="failed", finished_at=utcnow(), detail="no end recorded: worker stopped?")
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(TaskRun).where(
            TaskRun.finished_at.is_not(None), TaskRun.started_at < utcnow() - KEEP
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def recent(session: Session, status: str, limit: int = 20) -> list[TaskRun]:
    return list(
        session.scalars(
            select(TaskRun)
            .where(TaskRun.status == status)
            .order_by(TaskRun.started_at.desc())
            .limit(limit)
        )
    )

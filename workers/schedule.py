"""The periodic jobs, shared by Celery beat and the embedded in-process scheduler.

Intervals come from the settings (BEAT_HEARTBEAT_SECONDS, BEAT_SWEEP_SECONDS, JOB_SWEEP_SECONDS,
BEAT_REMINDER_SECONDS, BEAT_DIGEST_SECONDS: the digest itself goes out once a day after
DIGEST_HOUR UTC; INDEX_REFRESH_SECONDS), so fault tests can shorten them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery.beat import PersistentScheduler

from services.core.config import Settings
from workers import runs


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    seconds: float
    args: tuple[str, ...] = ()


def periodic_jobs(settings: Settings) -> list[Periodic]:
    return [
        Periodic(
            "heartbeat-worker",
            "workers.tasks.heartbeat",
            settings.beat_heartbeat_seconds,
            ("worker",),
        ),
        Periodic("sweep-outbox", "workers.tasks.sweep_outbox", settings.beat_sweep_seconds),
        # Match runs, index builds and imports whose worker stopped are queued again.
        Periodic("sweep-jobs", "workers.tasks.sweep_jobs", settings.job_sweep_seconds),
        Periodic(
            "deadline-reminders", "workers.tasks.send_reminders", settings.beat_reminder_seconds
        ),
        # Invitations expire (counted as declined) and are reminded before: see
        # services/consortia/invitation_deadlines.py.
        Periodic(
            "invitation-deadlines",
            "workers.invitation_tasks.invitation_deadlines",
            settings.beat_reminder_seconds,
        ),
        # Review deadlines: reminder steps and overdue notices, services/topics/review_deadlines.py.
        Periodic(
            "review-deadlines",
            "workers.review_tasks.review_deadlines",
            settings.beat_reminder_seconds,
        ),
        Periodic("daily-digest", "workers.tasks.send_digests", settings.beat_digest_seconds),
        # Imports and organisation edits reach the expertise index through this check.
        Periodic(
            "refresh-expertise-index",
            "workers.consortia_tasks.refresh_expertise_index",
            settings.index_refresh_seconds,
        ),
    ]


def beat_schedule(settings: Settings) -> dict[str, dict[str, object]]:
    """Celery's beat_schedule; a periodic message expires after one interval, so a backlog
    built while no worker ran does not replay every missed run."""
    return {
        job.name: {
            "task": job.task,
            "schedule": job.seconds,
            "args": job.args,
            "options": {"expires": job.seconds},
        }
        for job in periodic_jobs(settings)
    }


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's scheduler, proving the beat process alive: it writes the 'beat'
    heartbeat when it starts and whenever it publishes (at most every few seconds)."""

    def __init__(self, app: Any, *args: Any, **kwargs: Any) -> None:
        # The app is the runtime's (workers.runtime); set before Scheduler.__init__, which
        # calls setup_schedule.
        self.beat_heartbeat = runs.BeatHeartbeat(app.runtime.session_scope)
        super().__init__(app, *args, **kwargs)

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self.beat_heartbeat.write(force=True)

    def apply_async(
        self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any
    ) -> Any:
        self.beat_heartbeat.write()
        return super().apply_async(entry, producer=producer, advance=advance, **kwargs)

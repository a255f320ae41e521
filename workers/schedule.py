"""The periodic jobs, shared by Celery beat and the embedded in-process scheduler.

Intervals come from the environment so fault tests can shorten them:
BEAT_HEARTBEAT_SECONDS (30), BEAT_SWEEP_SECONDS (30), BEAT_REMINDER_SECONDS (3600),
BEAT_DIGEST_SECONDS (3600; the digest itself goes out once a day after DIGEST_HOUR UTC),
INDEX_REFRESH_SECONDS (300).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    seconds: float
    args: tuple[str, ...] = ()


def _seconds(var: str, default: float) -> float:
    return float(os.environ.get(var) or default)


def periodic_jobs() -> list[Periodic]:
    return [
        Periodic(
            "heartbeat-worker",
            "workers.tasks.heartbeat",
            _seconds("BEAT_HEARTBEAT_SECONDS", 30),
            ("worker",),
        ),
        Periodic("sweep-outbox", "workers.tasks.sweep_outbox", _seconds("BEAT_SWEEP_SECONDS", 30)),
        Periodic(
            "deadline-reminders",
            "workers.tasks.send_reminders",
            _seconds("BEAT_REMINDER_SECONDS", 3600),
        ),
        Periodic(
            "daily-digest", "workers.tasks.send_digests", _seconds("BEAT_DIGEST_SECONDS", 3600)
        ),
        # Imports and organisation edits reach the expertise index through this check.
        Periodic(
            "refresh-expertise-index",
            "workers.consortia_tasks.refresh_expertise_index",
            _seconds("INDEX_REFRESH_SECONDS", 300),
        ),
    ]


def beat_schedule() -> dict[str, dict[str, object]]:
    """Celery's beat_schedule; a periodic message expires after one interval, so a backlog
    built while no worker ran does not replay every missed run."""
    return {
        job.name: {
            "task": job.task,
            "schedule": job.seconds,
            "args": job.args,
            "options": {"expires": job.seconds},
        }
        for job in periodic_jobs()
    }

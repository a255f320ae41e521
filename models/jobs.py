"""The lease of a background job, shared by match requests, index builds and imports.

A worker that claims a job writes its id in ``lease_owner`` and renews ``lease_expires_at``
while it runs; a job whose lease ran out lost its worker, and the sweep
(services/operations/leases.py) queues it again or fails it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class Leased:
    """Columns of a job a worker holds under a lease (a mixin of the job's model)."""

    # Claims by a worker: 1 on the first run, 2 after a worker stopped once, ...
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_owner: Mapped[str] = mapped_column(String(200), default="", server_default="")
    lease_expires_at: Mapped[datetime | None]
    # When a worker was last asked to run it (rung): a queued job nobody took is rung again.
    rung_at: Mapped[datetime | None]
    # Set by a cancel while a worker runs the job; the worker stops at its next checkpoint.
    cancel_requested_at: Mapped[datetime | None]

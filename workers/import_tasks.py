"""The CORDIS import as a background task (queued by the admin import page)."""

from __future__ import annotations

from celery import shared_task

from services.operations import leases
from services.organisations import cordis_import
from workers.runs import task_host


@shared_task(name="workers.import_tasks.run_cordis_import", ignore_result=True, bind=True)
def run_cordis_import(self, run_id: int) -> str:
    """Run import ``run_id`` under a lease; a finished run is left alone.

    The task commits after every batch (the importer's checkpoint, which also renews the
    lease and stops on a cancel) so the page shows progress and other writers are not held
    up for the whole import; the import is idempotent, so a run whose worker died midway is
    completed when the sweep queues it again.
    """
    scope = self.runtime.session_scope

    def work(session, checkpoint) -> str:
        return cordis_import.run_import(session, run_id, checkpoint=checkpoint).status

    settings = self.runtime.settings
    try:
        return leases.run_leased(scope, settings, leases.IMPORT, run_id, task_host(self), work)
    except Exception as exc:
        with scope() as session:
            cordis_import.mark_failed(session, run_id, f"{type(exc).__name__}: {exc}"[:500])
        raise

"""The CORDIS import as a background task (queued by the admin import page)."""

from __future__ import annotations

from celery import shared_task

from services.organisations import cordis_import


@shared_task(name="workers.import_tasks.run_cordis_import", ignore_result=True, bind=True)
def run_cordis_import(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Run import ``run_id``; a finished run is left alone, an interrupted one resumes.

    The task commits after every batch (the importer's checkpoint) so the page shows
    progress and other writers are not held up for the whole import; the import is
    idempotent, so a run interrupted midway is completed by running it again.
    """
    scope = self.runtime.session_scope
    try:
        with scope() as session:
            run = cordis_import.run_import(session, run_id, checkpoint=session.commit)
            return run.status
    except Exception as exc:
        with scope() as session:
            cordis_import.mark_failed(session, run_id, f"{type(exc).__name__}: {exc}"[:500])
        raise

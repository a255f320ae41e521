"""Consortium matching tasks: run a match request, build or refresh the expertise index.

Match runs and index builds run under a lease on their row (services/operations/leases.py):
the sweep queues them again if this worker dies, and a cancel stops them at a checkpoint.
"""

from __future__ import annotations

from celery import shared_task

from services.consortia import expertise_index as matching_index
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from services.operations import leases
from workers.runs import task_host


@shared_task(name="workers.consortia_tasks.run_match", ignore_result=True, bind=True)
def run_match(self, request_id: int, key: str = "") -> str:
    settings = self.runtime.settings

    def work(session, checkpoint) -> str:
        ctx = RequestContext.for_settings(settings)
        path = settings.instance_path
        return consortia.run_match(session, ctx, request_id, path, checkpoint=checkpoint).status

    scope = self.runtime.session_scope
    return leases.run_leased(scope, settings, leases.MATCH, request_id, task_host(self), work)


@shared_task(name="workers.consortia_tasks.build_expertise_index", ignore_result=True, bind=True)
def build_expertise_index(self, version_id: int, key: str = "") -> str:
    settings = self.runtime.settings

    def work(session, checkpoint) -> str:
        path = settings.instance_path
        return matching_index.build_version(session, version_id, path, checkpoint=checkpoint).status

    scope = self.runtime.session_scope
    return leases.run_leased(scope, settings, leases.INDEX, version_id, task_host(self), work)


@shared_task(name="workers.consortia_tasks.refresh_expertise_index", ignore_result=True, bind=True)
def refresh_expertise_index(self) -> str:
    with self.runtime.session_scope() as session:
        version = matching_index.refresh_if_stale(session)
        return f"queued {version.id}" if version is not None else "up to date"

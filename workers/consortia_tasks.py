"""Consortium matching tasks: run a match request, build or refresh the expertise index."""

from __future__ import annotations

from celery import shared_task

from services.consortia import expertise_index as matching_index
from services.consortia import match_requests as consortia
from services.core.context import RequestContext


@shared_task(name="workers.consortia_tasks.run_match", ignore_result=True, bind=True)
def run_match(self, request_id: int, key: str = "") -> str:  # type: ignore[no-untyped-def]
    settings = self.runtime.settings
    with self.runtime.session_scope() as session:
        req = consortia.run_match(
            session,
            RequestContext.for_settings(settings),
            request_id,
            settings.instance_path,
            checkpoint=session.commit,
        )
        return req.status


@shared_task(name="workers.consortia_tasks.build_expertise_index", ignore_result=True, bind=True)
def build_expertise_index(self, version_id: int, key: str = "") -> str:  # type: ignore[no-untyped-def]
    instance = self.runtime.settings.instance_path
    with self.runtime.session_scope() as session:
        version = matching_index.build_version(
            session, version_id, instance, checkpoint=session.commit
        )
        return version.status


@shared_task(name="workers.consortia_tasks.refresh_expertise_index", ignore_result=True, bind=True)
def refresh_expertise_index(self) -> str:  # type: ignore[no-untyped-def]
    with self.runtime.session_scope() as session:
        version = matching_index.refresh_if_stale(session)
        return f"queued {version.id}" if version is not None else "up to date"

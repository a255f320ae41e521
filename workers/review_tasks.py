"""The periodic job of review deadlines: remind reviewers, tell who asked when overdue."""

from __future__ import annotations

from celery import shared_task

from services.topics import review_deadlines
from workers.runs import tracked


@shared_task(name="workers.review_tasks.review_deadlines", ignore_result=True, bind=True)
def review_deadlines_task(self) -> dict[str, int]:
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        return review_deadlines.send_due(session, runtime.settings)

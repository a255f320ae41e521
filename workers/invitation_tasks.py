"""The periodic job of consortium invitations: expire what is due, remind what is close."""

from __future__ import annotations

from celery import shared_task

from services.consortia import invitation_deadlines
from workers.runs import tracked


@shared_task(name="workers.invitation_tasks.invitation_deadlines", ignore_result=True, bind=True)
def invitation_deadlines_task(self) -> dict[str, int]:
    runtime = self.runtime
    with tracked(runtime.session_scope, self, self.name), runtime.session_scope() as session:
        return invitation_deadlines.run(session, runtime.settings)

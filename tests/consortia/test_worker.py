"""A real Celery worker (Redis broker) runs a match request end to end."""

from __future__ import annotations

import time

import models
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from tests.workers.conftest import (  # noqa: F401
    celery_worker,
    redis_app,
    redis_runtime,
    redis_settings,
)


def test_worker_runs_a_match_end_to_end(db, pool, make_user, celery_worker, redis_app):  # noqa: F811
    coord = make_user("coordinator")
    session = redis_app.extensions["partnering.sessions"]()
    try:
        actor = session.merge(coord)
        req, reused = consortia.request_match(session, RequestContext(actor), pool["topic"].id, {})
        session.commit()  # the task is enqueued only now
        session.close()
        assert not reused
        req = db.get(models.MatchRequest, req.id)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.rollback()  # a fresh snapshot each poll
            db.refresh(req)
            if req.status in ("done", "failed"):
                break
            time.sleep(0.2)
        assert req.status == "done", (req.status, req.error)
        assert len([m for m in req.members if not m.is_alternate]) == 6
        assert req.summary["solver"] in ("exact", "heuristic")
    finally:
        session.close()

"""Jobs whose worker is SIGKILLed midway, with real components: a private redis-server,
real Celery worker and beat processes on PostgreSQL, production settings except the job
lease (JOB_LEASE_SECONDS=3, renewed every second, swept every second: the shortening the
README documents). The broker's visibility timeout stays at its production hour, so what
recovers the job is the lease and the sweep, not a redelivery.

Each job is held mid-run by a table lock this test takes (``LOCK TABLE``) once the worker
has claimed it, so the kill lands while the job runs, deterministically; the lock is
released as the worker dies. Each test prints a ``FAULT-FIGURES`` line and takes about
15-25 s. They need PostgreSQL: SQLite has no table lock, only one write lock for the whole
file, which would stop the claim as well.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

import models
from models.db import make_engine, make_session_factory
from services.consortia import expertise_index as matching_index
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from services.operations import leases
from services.organisations import cordis_import
from tests.consortia.conftest import pool  # noqa: F401 - the synthetic pool and its index
from tests.services import cordis_files
from tests.workers.faults import Processes, RedisServer, figures, wait_for
from workers.runtime import build_runtime

# Holding a job mid-run needs a PostgreSQL table lock (SQLite's one write lock would stop the
# claim too): the production configuration only.
pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

LEASES = {"JOB_LEASE_SECONDS": "3", "JOB_RENEW_SECONDS": "1", "JOB_SWEEP_SECONDS": "1"}
RECOVER_WITHIN_S = 120


@dataclasses.dataclass
class Scenario:
    procs: Processes
    sessions: Any  # ring the scenario's broker after commit
    observer: Any
    engine: Any

    def row(self, model: type, row_id: int) -> Any:
        with self.observer() as s:
            return s.get(model, row_id)

    def hold(self) -> Any:
        """Take the lock that stops a job at its next read of these tables."""
        conn = self.engine.connect()
        conn.execute(text("LOCK TABLE organisations, cordis_projects IN ACCESS EXCLUSIVE MODE"))
        return conn

    def kill_midway(self, model: type, row_id: int, running: Callable[[Any], bool]) -> float:
        """Start a worker, let it claim the job and block, SIGKILL it; return the kill time."""
        lock = self.hold()
        worker = self.procs.worker(pool="prefork", concurrency=2)
        try:
            wait_for(lambda: running(self.row(model, row_id)), 60, "the worker to claim the job")
            time.sleep(0.5)  # it is now waiting on the lock, inside the job
            self.procs.kill(worker)
        finally:
            lock.rollback()
            lock.close()
        return time.monotonic()

    def recover(self, model: type, row_id: int, killed: float) -> tuple[Any, float]:
        """Restart a worker and beat; wait for the job to end; return it and the delay."""
        self.procs.worker(pool="prefork", concurrency=2)
        self.procs.beat()
        finished = ("done", "ready", "failed", "cancelled")
        wait_for(
            lambda: self.row(model, row_id).status in finished,
            RECOVER_WITHIN_S,
            "the job to end after the restart",
            0.2,
        )
        return self.row(model, row_id), time.monotonic() - killed


@pytest.fixture
def scenario(db, settings, tmp_path) -> Iterator[Scenario]:
    redis = RedisServer()
    redis.start()
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis.url,
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_URL": "http://testserver",
        # Another folder than this process's: the worker fetches the index from the database.
        "INSTANCE_PATH": str(tmp_path / "worker-host"),
        "INDEX_REFRESH_SECONDS": "3600",
        "BEAT_HEARTBEAT_SECONDS": "5",
        **LEASES,
    }
    runtime = build_runtime(dataclasses.replace(settings, redis_url=redis.url))
    observer_engine = make_engine(settings.database_url, immediate=False)
    procs = Processes(env, tmp_path)
    try:
        yield Scenario(
            procs, runtime.sessions, make_session_factory(observer_engine), observer_engine
        )
    except BaseException:
        print(procs.tail())
        raise
    finally:
        procs.stop_all()
        runtime.close()
        redis.stop()
        observer_engine.dispose()


def test_match_job_survives_a_killed_worker(scenario: Scenario, pool, make_user) -> None:  # noqa: F811
    sc = scenario
    coordinator = make_user("coordinator")
    topic_id = pool["topic"].id
    with sc.sessions() as session:
        actor = session.merge(coordinator)
        req, _ = consortia.request_match(session, RequestContext(actor), topic_id, {})
        session.commit()  # rung: the message waits in Redis for a worker
    killed = sc.kill_midway(
        models.MatchRequest, req.id, lambda r: r.status == "running" and r.progress >= 40
    )
    dead = sc.row(models.MatchRequest, req.id)
    assert dead.status == "running" and dead.attempts == 1
    wait_for(lambda: leases.is_dead(leases.MATCH, sc.row(models.MatchRequest, req.id)), 10,
             "the lease to run out")  # fmt: skip
    with sc.sessions() as session:  # asking again never answers with the dead job
        actor = session.merge(coordinator)
        again, reused = consortia.request_match(
            session, RequestContext(actor), pool["topic"].id, {}
        )
        session.commit()
        assert reused and again.id == req.id and again.status == "queued"
    assert not leases.is_dead(leases.MATCH, sc.row(models.MatchRequest, req.id))
    final, recover_s = sc.recover(models.MatchRequest, req.id, killed)
    figures(
        "match-worker-sigkill",
        status=final.status,
        attempts=final.attempts,
        recover_s=f"{recover_s:.1f}",
    )
    assert final.status == "done", final.error
    assert final.attempts == 2 and recover_s < RECOVER_WITHIN_S
    assert leases.retry_note(final, 3) == "Retried after a worker stopped (attempt 2 of 3)."
    with sc.observer() as s:
        members = s.query(models.SuggestedMember).filter_by(request_id=req.id).count()
        assert members > 0
    with sc.sessions() as session:
        actor = session.merge(coordinator)
        same, reused = consortia.request_match(session, RequestContext(actor), topic_id, {})
        assert reused and same.id == req.id and same.status == "done"


def test_index_build_survives_a_killed_worker(scenario: Scenario, pool) -> None:  # noqa: F811
    sc = scenario
    with sc.sessions() as session:
        version = matching_index.request_build(session, RequestContext(None), "fault test")
        session.commit()
    killed = sc.kill_midway(
        models.ExpertiseIndexVersion, version.id, lambda v: v.status == "building"
    )
    final, recover_s = sc.recover(models.ExpertiseIndexVersion, version.id, killed)
    figures(
        "index-worker-sigkill",
        status=final.status,
        attempts=final.attempts,
        recover_s=f"{recover_s:.1f}",
    )
    assert final.status == "ready", final.message
    assert final.attempts == 2 and recover_s < RECOVER_WITHIN_S
    with sc.sessions() as session:  # the current index, not the dead build, is served
        assert matching_index.current_version(session).id == version.id
        assert matching_index.pending_version(session) is None


def test_web_import_survives_a_killed_worker(scenario: Scenario, make_user, tmp_path) -> None:
    sc = scenario
    admin = make_user("admin")
    projects, organisations = cordis_files.write(tmp_path)
    with sc.sessions() as session:
        ctx = RequestContext(session.merge(admin))
        run = cordis_import.queue_import(session, ctx, projects, organisations)
        session.commit()
    killed = sc.kill_midway(models.ImportRun, run.id, lambda r: r.status == "running")
    final, recover_s = sc.recover(models.ImportRun, run.id, killed)
    figures(
        "import-worker-sigkill",
        status=final.status,
        attempts=final.attempts,
        recover_s=f"{recover_s:.1f}",
    )
    assert final.status == "done", final.message
    assert final.attempts == 2 and recover_s < RECOVER_WITHIN_S
    assert final.counts["participations_created"] == 5

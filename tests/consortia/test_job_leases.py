"""Leases of background jobs (services/operations/leases.py) on the real database: claim,
renew, the sweep's decisions, cancelling, and asking again for a job whose worker died."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

import models
from models.base import utcnow
from models.db import make_engine
from services.consortia import jobs
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.operations import leases
from services.organisations import cordis_import
from workers.schedule import beat_schedule, periodic_jobs


@pytest.fixture
def fast(settings):
    return dataclasses.replace(settings, job_lease_seconds=30, job_renew_seconds=0.05)


@pytest.fixture
def rung(db) -> list[tuple]:
    """What the services rang (task, *args) once ``db`` committed."""
    calls: list[tuple] = []
    db.info["dispatch"] = lambda *args: calls.append(args)
    return calls


@pytest.fixture
def scope(settings):
    """A session scope on the test database, as the runtime gives a task: on SQLite its
    transactions take the write lock when they begin (``db``'s begin lazily, and a lazy
    transaction that read before the keeper's renewal committed cannot write after it)."""
    engine = make_engine(settings.database_url)

    @contextmanager
    def _scope() -> Iterator[Session]:
        session = Session(bind=engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    yield _scope
    engine.dispose()


def _match(db, pool, by, **values) -> models.MatchRequest:
    req = models.MatchRequest(
        topic_id=pool["topic"].id,
        requested_by_id=by.id,
        params={},
        input_hash=values.pop("input_hash", "h"),
        index_version_id=pool["version"].id,
        **values,
    )
    db.add(req)
    db.commit()
    return req


def _expire(db, row, attempts=1, **extra) -> None:
    row.status, row.attempts, row.lease_owner = extra.pop("status", "running"), attempts, "w@h/1/x"
    row.lease_expires_at = utcnow() - timedelta(seconds=1)
    for key, value in extra.items():
        setattr(row, key, value)
    db.commit()


def test_claim_is_taken_once_and_counts_attempts(db, pool, make_user, fast):
    req = _match(db, pool, make_user("coordinator"))
    assert leases.claim(db, fast, leases.MATCH, req.id, "w1@a/1/x") == "claimed"
    db.commit()
    assert leases.claim(db, fast, leases.MATCH, req.id, "w2@b/2/y") == "running"
    db.refresh(req)
    assert (req.status, req.attempts, req.lease_owner) == ("running", 1, "w1@a/1/x")
    assert req.lease_expires_at > utcnow() + timedelta(seconds=25)
    assert not leases.extend(db, fast, leases.MATCH, req.id, "w2@b/2/y")
    with pytest.raises(leases.JobStopped):
        leases.release(db, leases.MATCH, req.id, "w2@b/2/y")  # not the holder: no outcome
    with pytest.raises(NotFound, match="No such match request"):
        leases.claim(db, fast, leases.MATCH, 10**6, "w1@a/1/x")


def test_sweep_requeues_fails_after_last_try_cancels_and_rings_lost(
    db, pool, make_user, fast, rung
):
    coord = make_user("coordinator")
    dead = _match(db, pool, coord, input_hash="a")
    _expire(db, dead, attempts=1)
    last = _match(db, pool, coord, input_hash="b")
    _expire(db, last, attempts=3)
    stopping = _match(db, pool, coord, input_hash="c")
    _expire(db, stopping, attempts=1, cancel_requested_at=utcnow())
    alive = _match(db, pool, coord, input_hash="d")
    _expire(db, alive, lease_expires_at=utcnow() + timedelta(seconds=20))
    lost = _match(db, pool, coord, input_hash="e", created_at=utcnow() - timedelta(hours=1))
    fresh = _match(db, pool, coord, input_hash="f")  # its own doorbell is on its way
    run = models.ImportRun(projects_file="p", organisations_file="o")
    db.add(run)
    db.commit()
    _expire(db, run, attempts=2)

    counts = leases.sweep(db, fast)
    db.commit()
    assert counts == {"requeued": 2, "failed": 1, "cancelled": 1, "rung": 1}
    for row in (dead, last, stopping, alive, lost, fresh, run):
        db.refresh(row)
    assert (dead.status, dead.lease_owner, dead.attempts) == ("queued", "", 1)
    assert last.status == "failed" and "stopped 3 times because its worker stopped" in last.error
    assert "last on w@h" in last.error and "Ask again" in last.error
    assert stopping.status == "cancelled"
    assert alive.status == "running"
    assert (run.status, run.attempts) == ("queued", 2)
    assert sorted(rung) == sorted(
        [(leases.MATCH.task, dead.id), (leases.MATCH.task, lost.id), (leases.IMPORT.task, run.id)]
    )
    assert fresh.status == "queued" and (leases.MATCH.task, fresh.id) not in rung
    # A second sweep has nothing left to do.
    assert leases.sweep(db, fast) == {"requeued": 0, "failed": 0, "cancelled": 0, "rung": 0}


def test_the_last_try_is_refused_at_claim(db, pool, make_user, fast):
    req = _match(db, pool, make_user("coordinator"), attempts=3)
    assert leases.claim(db, fast, leases.MATCH, req.id, "w@h/1/x") == "failed"
    db.commit()
    db.refresh(req)
    assert req.status == "failed" and "3 times" in req.error


def _work(request_id: int, steps: list[str], between=None):
    """A job in two steps with a checkpoint after each; ``between`` runs in the middle."""

    def work(session: Session, checkpoint) -> str:
        req = session.get(models.MatchRequest, request_id)
        req.progress = 50
        checkpoint()
        steps.append("first checkpoint")
        if between is not None:
            between()
        req.progress = 90
        checkpoint()
        req.status = "done"
        return "done"

    return work


def test_run_leased_commits_the_outcome_and_releases(db, pool, make_user, fast, scope):
    req = _match(db, pool, make_user("coordinator"))
    work = _work(req.id, [])
    assert leases.run_leased(scope, fast, leases.MATCH, req.id, "w@h", work) == "done"
    db.refresh(req)
    assert (req.status, req.progress, req.attempts, req.lease_owner) == ("done", 90, 1, "")
    # A redelivered message changes nothing.
    assert leases.run_leased(scope, fast, leases.MATCH, req.id, "w@h", work) == "done"


def test_a_cancel_stops_the_job_at_its_next_checkpoint(db, pool, make_user, fast, scope):
    requester = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    req = _match(db, pool, requester)

    def cancel_meanwhile() -> None:
        with scope() as other:
            jobs.cancel_match(other, RequestContext(other.merge(requester)), req.id)

    steps: list[str] = []
    work = _work(req.id, steps, cancel_meanwhile)
    assert leases.run_leased(scope, fast, leases.MATCH, req.id, "w@h", work) == "cancelled"
    db.refresh(req)
    assert steps == ["first checkpoint"]
    assert (req.status, req.progress) == ("cancelled", 50)  # what came after was rolled back
    assert "next checkpoint" in req.error


def test_a_worker_that_lost_its_lease_writes_no_outcome(db, pool, make_user, fast, scope):
    req = _match(db, pool, make_user("coordinator"))

    def swept_meanwhile() -> None:  # a stalled worker: its lease ran out, the sweep acted
        with scope() as other:
            row = other.get(models.MatchRequest, req.id)
            row.lease_expires_at = utcnow() - timedelta(seconds=1)
        with scope() as other:
            assert leases.sweep(other, fast)["requeued"] == 1

    work = _work(req.id, [], swept_meanwhile)
    # No renewal during the test: a renewal between the expiry set above and the sweep would
    # give the stalled worker its lease back (its next checkpoint finds the lease gone).
    stalled = dataclasses.replace(fast, job_renew_seconds=25)
    assert leases.run_leased(scope, stalled, leases.MATCH, req.id, "w@h", work) == "lease lost"
    db.refresh(req)
    assert (req.status, req.progress) == ("queued", 50)


def test_the_keeper_renews_the_lease_while_the_job_computes(db, pool, make_user, fast, scope):
    req = _match(db, pool, make_user("coordinator"))
    seen = []

    def work(session: Session, checkpoint) -> str:
        with scope() as other:
            seen.append(other.get(models.MatchRequest, req.id).lease_expires_at)
        deadline = time.monotonic() + 20  # no checkpoint: only the keeper thread renews
        while time.monotonic() < deadline:
            time.sleep(0.1)
            with scope() as other:
                renewed = other.get(models.MatchRequest, req.id).lease_expires_at
            if renewed > seen[0]:
                break
        seen.append(renewed)
        session.get(models.MatchRequest, req.id).status = "done"
        return "done"

    assert leases.run_leased(scope, fast, leases.MATCH, req.id, "w@h", work) == "done"
    assert seen[1] > seen[0]


def test_asking_again_revives_a_dead_job_instead_of_returning_it(db, pool, make_user, rung):
    coord = make_user("coordinator")
    ctx = RequestContext(coord)
    req, reused = consortia.request_match(db, ctx, pool["topic"].id, {})
    db.commit()
    _expire(db, req, attempts=1)
    rung.clear()
    again, reused = consortia.request_match(db, ctx, pool["topic"].id, {})
    db.commit()
    assert reused and again.id == req.id
    assert not leases.is_dead(leases.MATCH, again)
    assert again.status == "queued" and rung == [(leases.MATCH.task, req.id)]
    # A cancelled one is never reused: asking again starts a new request.
    jobs.cancel_match(db, ctx, req.id)
    db.commit()
    fresh, reused = consortia.request_match(db, ctx, pool["topic"].id, {})
    assert not reused and fresh.id != req.id


def test_who_may_cancel_and_what(db, pool, make_user, world, settings):
    sgg = pool["topic"].sgg_id
    requester = make_user("viewer", sgg_id=sgg)
    colleague = make_user("viewer", sgg_id=sgg)
    req = _match(db, pool, requester)
    with pytest.raises(PermissionDenied):
        jobs.cancel_match(db, RequestContext(colleague), req.id)
    req.status, req.lease_owner = "running", "w@h/1/x"
    db.commit()
    jobs.cancel_match(db, RequestContext(make_user("coordinator")), req.id)
    db.commit()
    db.refresh(req)
    assert req.status == "running" and req.cancel_requested_at is not None
    with pytest.raises(Conflict, match="nothing to cancel"):  # asked already
        jobs.cancel_match(db, RequestContext(requester), req.id)
    admin = make_user("admin")
    with pytest.raises(Conflict, match="nothing to cancel"):
        jobs.cancel_index_build(db, RequestContext(admin), pool["version"].id)  # ready
    run = models.ImportRun(projects_file="p", organisations_file="o")
    db.add(run)
    db.commit()
    with pytest.raises(PermissionDenied):
        cordis_import.cancel_import(db, RequestContext(make_user("coordinator")), run.id)
    assert cordis_import.cancel_import(db, RequestContext(admin), run.id).status == "cancelled"
    assert "what it imported is kept" in run.message


def test_the_sweep_runs_under_beat_and_the_embedded_scheduler(settings):
    jobs_by_name = {job.name: job for job in periodic_jobs(settings)}
    assert jobs_by_name["sweep-jobs"].task == "workers.tasks.sweep_jobs"
    assert jobs_by_name["sweep-jobs"].seconds == settings.job_sweep_seconds
    assert beat_schedule(settings)["sweep-jobs"]["task"] == "workers.tasks.sweep_jobs"

"""Prometheus metrics: what each process counts (requests, tasks) and what a scrape reads
from the database and the broker (outbox rows by state, match jobs and imports by state,
the Celery queue's depth).

Counters and histograms live in the process that observes them. Under gunicorn (several
worker processes) or a Celery prefork pool, set PROMETHEUS_MULTIPROC_DIR: every process
then writes its values to files there and a scrape adds them up (prometheus_client's
multiprocess mode; gunicorn.conf.py empties the folder at start and marks exited workers).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import redis
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ImportRun, MatchRequest, OutboxMessage
from models.consortia import MATCH_STATES
from models.cordis import IMPORT_STATES
from models.notifications import OUTBOX_STATES

SessionScope = Callable[[], AbstractContextManager[Session]]
CELERY_QUEUE = "celery"  # the default queue: every task of ours goes there

REQUESTS = Counter(
    "partnering_http_requests", "Answered requests", ["endpoint", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "partnering_http_request_duration_seconds", "Time to answer", ["endpoint", "method"]
)
TASKS = Counter("partnering_tasks", "Tasks run, by outcome (Celery state)", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "partnering_task_duration_seconds",
    "Time a task ran",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)


def token_matches(token: str, authorization: str) -> bool:
    """Whether an ``Authorization`` header is ``Bearer <token>`` (compared in constant time)."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, method, str(status)).inc()
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)


def observe_task(task: str, outcome: str, seconds: float) -> None:
    TASKS.labels(task, outcome).inc()
    TASK_SECONDS.labels(task, outcome).observe(seconds)


class StateCollector(Collector):
    """Read at scrape time: rows by state, and the broker's queue (when there is one)."""

    def __init__(self, scope: SessionScope, redis_url: str | None) -> None:
        self.scope = scope
        self.redis_url = redis_url

    def collect(self) -> Iterator[Metric]:
        with self.scope() as session:
            for name, doc, model, states in (
                (
                    "partnering_outbox_messages",
                    "Outbox rows by state",
                    OutboxMessage,
                    OUTBOX_STATES,
                ),
                ("partnering_match_jobs", "Match jobs by state", MatchRequest, MATCH_STATES),
                ("partnering_import_runs", "CORDIS imports by state", ImportRun, IMPORT_STATES),
            ):
                counts = dict.fromkeys(states, 0)
                rows = session.execute(select(model.status, func.count()).group_by(model.status))
                counts.update({status: n for status, n in rows})
                gauge = GaugeMetricFamily(name, doc, labels=["state"])
                for state, n in counts.items():
                    gauge.add_metric([state], n)
                yield gauge
        if self.redis_url:
            depth = GaugeMetricFamily(
                "partnering_celery_queue_depth", "Tasks waiting in the broker's queue"
            )
            try:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=1)
                depth.add_metric([], float(client.llen(CELERY_QUEUE)))
            except redis.RedisError:
                depth.add_metric([], float("nan"))
            yield depth


def exposition(multiproc_dir: Path | None, state: Collector | None = None) -> bytes:
    """The text Prometheus scrapes: this process's (or all processes') values and ``state``."""
    if multiproc_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if state is not None:
        extra = CollectorRegistry()
        extra.register(state)
        body += generate_latest(extra)
    return body


def prepare_multiproc_dir(multiproc_dir: Path | None) -> None:
    """Empty the folder at a server's start: values of processes before are gone."""
    if multiproc_dir is None:
        return
    multiproc_dir.mkdir(parents=True, exist_ok=True)
    for stale in multiproc_dir.glob("*.db"):
        stale.unlink()


def process_exited(multiproc_dir: Path | None, pid: int) -> None:
    if multiproc_dir is not None:
        multiprocess.mark_process_dead(pid, path=str(multiproc_dir))

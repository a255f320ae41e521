"""``/metrics`` for Prometheus, and the count and latency of every answer by endpoint.

Protection: with METRICS_TOKEN set, a scrape must send ``Authorization: Bearer <token>``
(401 otherwise); without it ``/metrics`` is open in the embedded default (a laptop) and
answers 404 in production. A token rather than an internal address: behind a proxy every
request arrives from the proxy's address, and gunicorn serves one port for both.
"""

from __future__ import annotations

import time

from flask import Flask, Response, abort, current_app, g, request

from services.core.config import Settings
from services.operations import metrics


def _observe(response: Response) -> Response:
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    started = g.get("request_started", time.perf_counter())
    metrics.observe_request(
        endpoint, request.method, response.status_code, time.perf_counter() - started
    )
    return response


def authorised(settings: Settings, header: str) -> bool | None:
    """True: may scrape; False: wrong or missing token (401); None: metrics off (404)."""
    if settings.metrics_token:
        return metrics.token_matches(settings.metrics_token, header)
    return True if settings.embedded else None


def _metrics() -> Response:
    runtime = current_app.extensions["partnering.runtime"]
    allowed = authorised(runtime.settings, request.headers.get("Authorization", ""))
    if allowed is None:
        abort(404)
    if not allowed:
        return Response(
            "A bearer token is required.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            mimetype="text/plain",
        )
    state = metrics.StateCollector(runtime.session_scope, runtime.settings.redis_url)
    body = metrics.exposition(runtime.settings.prometheus_multiproc_dir, state)
    return Response(body, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", _metrics)

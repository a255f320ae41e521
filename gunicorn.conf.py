"""gunicorn settings for the web service (read from the working directory by default).

gthread workers: a sync worker serves one connection at a time and waits on it, so a
browser's idle keep-alive or pre-opened connection (or a slow client) holds a whole worker
while others queue; with bench/load_pages.py, 20 users pausing between pages saw a p95 of
550-680 ms on 3 sync workers. A gthread worker parks idle connections and keeps them
alive between pages. Rendering is CPU-bound Python, so more processes beat more threads
(threads of one process share the GIL): on 2 cores, 6 workers of 1 thread gave the
lowest p95 of 6x1, 4x2, 3x2 and 3x4. WEB_CONCURRENCY and WEB_THREADS override these.

The settings are read and checked here, in the master, before any worker starts: a bad
value exits with status 2 and one line (services.core.config).
"""

import multiprocessing

from services.core.config import load_settings_or_exit

settings = load_settings_or_exit()
bind = settings.gunicorn_bind
workers = settings.web_concurrency or 3 * multiprocessing.cpu_count()
worker_class = "gthread"
threads = settings.web_threads
keepalive = 5
timeout = 60
graceful_timeout = 30


def on_starting(server: object) -> None:
    """Metrics of the workers before this start are gone (PROMETHEUS_MULTIPROC_DIR)."""
    from services.operations import metrics

    metrics.prepare_multiproc_dir(settings.prometheus_multiproc_dir)


def post_worker_init(worker: object) -> None:
    """Every template compiled before the worker's first request (webapp.templating)."""
    from webapp.templating import compile_all

    compile_all(worker.wsgi)  # type: ignore[attr-defined]


def child_exit(server: object, worker: object) -> None:
    from services.operations import metrics

    metrics.process_exited(settings.prometheus_multiproc_dir, worker.pid)  # type: ignore[attr-defined]

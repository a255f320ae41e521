"""gunicorn settings for the web service (read from the working directory by default).

gthread workers: a sync worker serves one connection at a time and waits on it, so a
browser's idle keep-alive or pre-opened connection (or a slow client) holds a whole worker
while others queue; with bench/load_pages.py, 20 users pausing between pages saw a p95 of
550-680 ms on 3 sync workers. A gthread worker parks idle connections and keeps them
alive between pages. Rendering is CPU-bound Python, so more processes beat more threads
(threads of one process share the GIL): on 2 cores, 6 workers of 1 thread gave the
lowest p95 of 6x1, 4x2, 3x2 and 3x4. WEB_CONCURRENCY and WEB_THREADS override these.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 3 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "1"))
keepalive = 5
timeout = 60
graceful_timeout = 30

"""gunicorn settings for the web service (read from the working directory by default).

Threaded workers: a sync worker serves one connection at a time and waits on it, so a
browser's idle keep-alive or pre-opened connection (or a slow client) holds a whole worker
while others queue; measured with bench/load_pages.py, 20 users pausing between pages
saw a p95 of 550-680 ms on sync workers. A gthread worker parks idle connections and
keeps them alive between pages. WEB_CONCURRENCY and WEB_THREADS override the defaults.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
timeout = 60
graceful_timeout = 30

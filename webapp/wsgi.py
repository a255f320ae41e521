"""WSGI entry point for gunicorn: ``gunicorn webapp.wsgi:app``.

Bad settings exit with status 2 and one line (gunicorn.conf.py checks them first, in the
master, so a bad value never reaches a worker's boot loop)."""

from services.core.config import load_settings_or_exit
from webapp import create_app

app = create_app(load_settings_or_exit())

"""Organisations: search and browse, profiles, editing, CORDIS imports, duplicates."""

from webapp.organisations import community  # noqa: F401 - registers its routes on bp
from webapp.organisations.views import bp

__all__ = ["bp"]

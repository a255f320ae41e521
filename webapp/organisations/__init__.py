"""Organisations: search and browse, profiles, editing, CORDIS imports, duplicates."""

from webapp.organisations.views import bp

__all__ = ["bp"]

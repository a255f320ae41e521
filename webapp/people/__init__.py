"""People of an organisation: contacts (add, edit, remove, CSV import), join requests."""

from webapp.people.views import bp

__all__ = ["bp"]

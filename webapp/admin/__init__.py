"""Administration: users and roles, the outbox, background work."""

from webapp.admin import background as _background  # noqa: F401 - registers its routes
from webapp.admin.views import bp

__all__ = ["bp"]

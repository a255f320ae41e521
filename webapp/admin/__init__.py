"""Administration: users and roles, programme settings, the outbox, background work."""

from webapp.admin import background as _background  # noqa: F401 - registers its routes
from webapp.admin import programmes as _programmes  # noqa: F401 - registers its routes
from webapp.admin.views import bp

__all__ = ["bp"]

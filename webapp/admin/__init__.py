"""Administration: users and roles, the outbox."""

from webapp.admin.views import bp

__all__ = ["bp"]

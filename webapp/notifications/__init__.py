"""The in-app inbox and each user's notification settings."""

from webapp.notifications.views import bp

__all__ = ["bp"]

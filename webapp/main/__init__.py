"""Dashboard and health."""

from webapp.main.views import bp

__all__ = ["bp"]

"""The signed-in user's own settings: personal API tokens."""

from webapp.account.views import bp

__all__ = ["bp"]

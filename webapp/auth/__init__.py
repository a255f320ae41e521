"""Sign-in, sign-out, invitations, password reset and password change."""

from webapp.auth.views import bp

__all__ = ["bp"]

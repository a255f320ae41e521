"""The signed links of consortium invitations: where an invited person lands from the mail."""

from webapp.invitations.views import bp

__all__ = ["bp"]

"""Consortium matching: requests, review, comparison, invitations, the expertise index."""

from webapp.consortia.views import bp

__all__ = ["bp"]

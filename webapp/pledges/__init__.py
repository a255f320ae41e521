"""Pledges and funding: partners' commitments, coordinators' decisions, funding views."""

from webapp.pledges import applications, funding, views  # noqa: F401  (register routes)
from webapp.pledges.blueprint import bp

__all__ = ["bp"]

"""Partnering Machine: services."""

# Every process that writes through a service (web, worker, command line) renews the
# funding pages' cached sums when a change reaches them: the listeners register on import.
from services.pledges import sums_cache as _sums_cache  # noqa: F401

"""Call topics and calls: lists, pages, editing, lifecycle, review, comments, public pages."""

from webapp.topics import calls, history, review_views, views  # noqa: F401  (register routes)
from webapp.topics.blueprint import bp

__all__ = ["bp"]

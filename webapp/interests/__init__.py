"""Expressions of interest in a topic: the topic page's panel and its three actions."""

from webapp.interests.views import bp

__all__ = ["bp"]

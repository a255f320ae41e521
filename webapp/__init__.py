"""Partnering Machine web app; ``create_app()`` builds it (webapp/factory.py).

This module imports nothing heavy: the ``partnering`` commands that need no web app
(``suggest`` above all) start without the blueprints, forms and templates behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.core.config import Settings
    from workers.runtime import Runtime


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, **overrides: Any
) -> Flask:
    """The web app on ``runtime`` (built from ``settings``, or the environment's, if none)."""
    from webapp.factory import create_app as build

    return build(settings, runtime=runtime, **overrides)

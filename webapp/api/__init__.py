"""The JSON REST API under /api/v1: personal tokens, problem+json errors, OpenAPI 3.1.

The resource modules build their blueprints from ``webapp.api.core``; this package only
assembles them into the ``Api`` and registers it on the app.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest.spec.plugins import integerconverter2paramschema

from webapp.api import (
    calls,
    docs,
    interests,
    invitations,
    matches,
    me,
    members,
    notifications,
    organisations,
    people,
    pledges,
    topics,
)
from webapp.api.core import Api
from webapp.extensions import csrf
from webapp.routing import IdConverter

RESOURCES = (
    me,
    calls,
    topics,
    pledges,
    organisations,
    people,
    matches,
    members,
    interests,
    invitations,
    notifications,
)


def init_app(app: Flask) -> None:
    """Register every API blueprint (CSRF-exempt: tokens, not cookies) and the docs page."""
    app.config.update(
        API_TITLE="Partnering Machine API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Call topics, pledges, organisations, consortium matching and its "
                "review loop (members, finalising), expressions of interest. "
                "Authenticate with a personal token: `Authorization: Bearer pm_...` "
                "(create one under Account -> API tokens). Read tokens may only GET.",
            },
            "servers": [{"url": "/"}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app)
    api.register_converter(IdConverter, integerconverter2paramschema)
    for module in RESOURCES:
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.blp.url_prefix or ''}")
    app.register_blueprint(docs.bp)

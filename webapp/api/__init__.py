"""The JSON REST API under /api/v1: personal tokens, problem+json errors, OpenAPI 3.1."""

from __future__ import annotations

import http
from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from flask_smorest.utils import prepare_response

from webapp.api.schemas import ProblemSchema

PROBLEM_JSON = "application/problem+json"


class Api(SmorestApi):
    """flask-smorest, with errors documented as problem+json and rendered by webapp.errors."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """webapp.errors already answers every error (problem+json under /api/)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """An API blueprint whose every request is authenticated by a bearer token."""
    from webapp.api.auth import authenticate

    blp = Blueprint(name, name, url_prefix=url_prefix, description=description)
    blp.before_request(authenticate)
    return blp


def init_app(app: Flask) -> None:
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from webapp.api import calls, docs, matches, me, notifications, organisations, pledges, topics
    from webapp.extensions import csrf
    from webapp.routing import IdConverter

    app.config.update(
        API_TITLE="Partnering Machine API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Call topics, pledges, organisations and consortium matching. "
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
    for module in (me, calls, topics, pledges, organisations, matches, notifications):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.blp.url_prefix or ''}")
    app.register_blueprint(docs.bp)

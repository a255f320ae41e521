"""The API's building blocks that every resource module uses: the flask-smorest ``Api``
with problem+json errors, and ``api_blueprint`` (bearer-token authentication)."""

from __future__ import annotations

import http
from typing import Any

from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from flask_smorest.utils import prepare_response

from webapp.api.auth import authenticate
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
    blp = Blueprint(name, name, url_prefix=url_prefix, description=description)
    blp.before_request(authenticate)
    return blp

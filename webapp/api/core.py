"""The API's building blocks that every resource module uses: the flask-smorest ``Api``
with problem+json errors, and ``api_blueprint`` (bearer-token authentication)."""

from __future__ import annotations

import http
import threading
from typing import Any

from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from flask_smorest.utils import prepare_response

from webapp.api.auth import authenticate
from webapp.api.schemas import ProblemSchema

PROBLEM_JSON = "application/problem+json"


class Api(SmorestApi):
    """flask-smorest, with errors documented as problem+json and rendered by webapp.errors.

    The OpenAPI document is built when it is first asked for (``/api/v1/openapi.json``, the
    ``flask openapi`` commands), not when the app is created: documenting every view was a
    third of ``create_app``'s time, spent by every app that never serves the document (each
    worker process, each test). The routes themselves are registered at once.
    """

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Any = None, **kwargs: Any) -> None:
        self._undocumented: list[tuple[Blueprint, str, Any]] = []
        self._documenting = threading.Lock()
        super().__init__(app, **kwargs)

    @property
    def spec(self) -> Any:
        """The APISpec, with the views of every blueprint registered so far documented."""
        if self._undocumented:
            with self._documenting:
                while self._undocumented:
                    blp, name, parameters = self._undocumented[0]
                    blp.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blp.description})
                    del self._undocumented[0]
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None, **options: Any) -> None:
        """Register ``blp``'s routes now; document its views when the spec is first read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

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

"""The browsable API documentation page (Swagger UI, vendored)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)


@bp.route("/api/v1/docs")
def docs() -> str:
    return render_template("api/docs.html", spec_url="/api/v1/openapi.json")

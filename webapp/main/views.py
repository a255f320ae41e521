from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from services import worklists
from services.operations import health
from webapp.database import db
from webapp.extensions import limiter

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard() -> str:
    return render_template(
        "main/dashboard.html", board=worklists.dashboard(db(), current_user._get_current_object())
    )


@bp.route("/health/live")
@limiter.exempt
def live() -> tuple[str, int, dict[str, str]]:
    """Liveness: the process answers (no database, no broker); the framework's floor."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/health")
@limiter.exempt
def health_check() -> tuple[Response, int]:
    report = health.check(db(), current_app.config["REDIS_URL"])
    return jsonify(report), 200 if report["status"] == "ok" else 503

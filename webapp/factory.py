"""``create_app()``: the web app wired to its runtime, extensions and blueprints."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask_login import AnonymousUserMixin
from werkzeug.middleware.proxy_fix import ProxyFix

from models import User
from services import policies
from services.accounts import users as accounts
from services.core.config import PROJECT_ROOT, Settings, load_settings
from webapp import (
    caching,
    database,
    errors,
    filters,
    guard,
    helpers,
    metrics,
    request_log,
    templating,
    urls,
    widgets,
)
from webapp.extensions import CSP, csrf, limiter, login_manager, talisman
from webapp.routing import IdConverter
from workers.runtime import Runtime, build_runtime

BLUEPRINTS = (
    "webapp.auth",
    "webapp.main",
    "webapp.admin",
    "webapp.account",
    "webapp.pledges",
    "webapp.topics",
    "webapp.notifications",
    "webapp.organisations",
    "webapp.people",
    "webapp.consortia",
    "webapp.interests",
    "webapp.invitations",
)


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, **overrides: Any
) -> Flask:
    """The web app on ``runtime`` (built from ``settings``, or the environment's, if none)."""
    if runtime is None:
        runtime = build_runtime(settings or load_settings())
    settings = runtime.settings
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(settings.instance_path),
    )
    app.jinja_environment = templating.OutputEnvironment  # before the first template
    app.url_map.converters["int"] = IdConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        PUBLIC_URL=settings.public_url,
        REDIS_URL=settings.redis_url,
        TOKEN_HOURS=settings.token_hours,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        LOGIN_LIMIT_ACCOUNT=settings.login_limit_account,
        LOGIN_LIMIT_ACCOUNT_IP=settings.login_limit_account_ip,
        LOGIN_LIMIT_IP=settings.login_limit_ip,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX=settings.ratelimit_prefix,
        RATELIMIT_HEADERS_ENABLED=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # "Remember me" is not offered; Flask-Login still clears its cookie on sign-in and
        # sign-out, and that header carries the same flags as the session cookie.
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.secure_cookies,
    )
    app.config.update(overrides)

    if settings.trusted_proxies > 0:
        # Behind N reverse proxies the client's address, scheme and host are what the
        # nearest N put in X-Forwarded-*; without one those headers are anyone's and ignored.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n
        )

    app.extensions["partnering.runtime"] = runtime
    # Shortcuts to the runtime's engine and session factory (tests, benchmarks).
    app.extensions["partnering.engine"] = runtime.engine
    app.extensions["partnering.sessions"] = runtime.sessions

    request_log.init_app(app, settings.log_format)  # first: the id before all, the line last
    metrics.init_app(app)
    guard.init_app(app)  # refused text never reaches a view, a limit or the database
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=False,
        strict_transport_security=settings.secure_cookies,
        session_cookie_secure=settings.secure_cookies,
        content_security_policy=CSP,
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    _init_login(app)
    caching.init_app(app)
    database.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    urls.init_app(app)
    widgets.init_app(app)

    import importlib

    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    from webapp import api

    api.init_app(app)
    if not settings.broker_url and app.config.get("EMBEDDED_SCHEDULER", not app.testing):
        # No Redis: no beat either; a serving process runs the periodic jobs in a thread
        # (workers/embedded.py), started by its first request, so CLI commands never do.
        app.before_request(runtime.scheduler.start)
    return app


class Anonymous(AnonymousUserMixin):
    role = "anonymous"
    sgg_memberships: list[Any] = []
    org_memberships: list[Any] = []


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.anonymous_user = Anonymous

    @login_manager.user_loader
    def load_user(alternative_id: str) -> User | None:
        user_id, _, token = alternative_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        return accounts.load_signed_in_user(database.db(), int(user_id), token)

    @app.context_processor
    def _inject_policies() -> dict[str, Any]:
        from webapp.nav import nav_for

        return {
            "policies": policies,
            "nav_for": nav_for,
            "job_note": helpers.job_note,
            "role_labels": helpers.role_labels,
        }

    app.teardown_request(helpers.forget_role_labels)

"""Settings from the environment, with an embedded default that needs nothing installed.

``Settings`` is the one typed settings object: every variable the product reads is a field,
its environment name, range and meaning declared once beside it (``Var``), checked by
pydantic when ``load_settings`` reads the environment (once per process: the web app, the
CLI, the worker and beat, gunicorn's configuration). A bad value is refused with one line
naming each bad variable and the values it accepts (``ConfigError``; the entry points exit
with status 2, see ``load_settings_or_exit``). Nothing else reads ``os.environ``
(tests/unit/test_settings_static.py). It stays a frozen dataclass so that tests and
callers derive variants with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

from services.core.settings_types import Flag, Rate, Seconds, Var, accepted, host_port, url

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """The environment asks for something impossible (a malformed value, production
    without SECRET_KEY); the message is one line meant for the operator."""


@dataclass(frozen=True)
class Settings:
    database_url: Annotated[
        str,
        Var(
            "DATABASE_URL",
            "PostgreSQL in production, e.g. `postgresql+psycopg://user:pw@host/db` (psycopg 3; "
            "`postgres://` is accepted)",
            default="SQLite at `instance/partnering.db`",
            accepted="an SQLAlchemy URL: `postgresql+psycopg://...`, `postgres://...`, "
            "`sqlite:///...`",
        ),
        url("postgresql+psycopg", "postgresql", "postgres", "sqlite"),
    ]
    secret_key: Annotated[
        str,
        Var(
            "SECRET_KEY",
            "signs sessions and CSRF tokens; required in production",
            default="generated into `instance/secret_key` (embedded only)",
            accepted="any text (long and random)",
            secret=True,
        ),
    ]
    redis_url: Annotated[
        str | None,
        Var(
            "REDIS_URL",
            "Celery broker and results, rate-limit storage",
            default="unset: tasks run in-process",
        ),
        url("redis", "rediss"),
    ] = None
    environment: Annotated[
        Literal["development", "production"],
        Var("PARTNERING_ENV", "`production` forces production rules without a database URL"),
    ] = "development"
    embedded: bool = True  # neither DATABASE_URL, REDIS_URL nor PARTNERING_ENV=production
    instance_path: Annotated[
        Path,
        Var(
            "INSTANCE_PATH",
            "where the embedded database, secret and index files live",
            "`./instance`",
        ),
    ] = PROJECT_ROOT / "instance"
    public_url: Annotated[
        str,
        Var(
            "PUBLIC_URL",
            "base of the links in emails",
            "`http://127.0.0.1:5000` (`make run`: from its `HOST` and `PORT`)",
        ),
        url("http", "https"),
    ] = "http://127.0.0.1:5000"
    mail_server: Annotated[
        str | None,
        Var("MAIL_SERVER", "SMTP server; unset keeps mail in the outbox (Admin → Outbox)"),
    ] = None
    mail_port: Annotated[int, Field(ge=1, le=65535), Var("MAIL_PORT", "SMTP port")] = 25
    mail_username: Annotated[str | None, Var("MAIL_USERNAME", "SMTP login")] = None
    mail_password: Annotated[str | None, Var("MAIL_PASSWORD", "SMTP password", secret=True)] = None
    mail_use_tls: Annotated[Flag, Var("MAIL_USE_TLS", "STARTTLS")] = False
    mail_use_ssl: Annotated[Flag, Var("MAIL_USE_SSL", "SMTP over TLS (not with MAIL_USE_TLS)")] = (
        False
    )
    mail_ca_file: Annotated[
        str | None,
        Var(
            "MAIL_CA_FILE",
            "CA bundle the SMTP server's certificate is verified against (TLS always checks "
            "the certificate and host name; a failed check keeps the mail for a retry with "
            "the reason)",
            default="unset: the system's CAs",
            accepted="a file path",
        ),
    ] = None
    mail_from: Annotated[str, Field(min_length=3), Var("MAIL_FROM", "sender")] = (
        "Partnering Machine <no-reply@partnering.local>"
    )
    max_upload_mb: Annotated[
        int,
        Field(ge=1, le=10240),
        Var("MAX_UPLOAD_MB", "upload limit (answered with 413 above it)"),
    ] = 200
    token_hours: Annotated[
        int,
        Field(ge=1, le=720),
        Var("TOKEN_HOURS", "validity of invitation links (reset links: 2 h)"),
    ] = 48
    invitation_expiry_days: Annotated[
        int,
        Field(ge=1, le=365),
        Var(
            "INVITATION_EXPIRY_DAYS",
            "a consortium invitation expires (counts as declined) after this many days",
        ),
    ] = 14
    invitation_reminder_days: Annotated[
        int,
        Field(ge=0, le=365),
        Var("INVITATION_REMINDER_DAYS", "its people are reminded once this many days before"),
    ] = 3
    login_limit_account_ip: Annotated[
        Rate, Var("LOGIN_LIMIT_ACCOUNT_IP", "failed sign-ins allowed per account from one address")
    ] = "5 per minute"
    login_limit_ip: Annotated[Rate, Var("LOGIN_LIMIT_IP", "failed sign-ins per address")] = (
        "10 per minute"
    )
    login_limit_account: Annotated[
        Rate,
        Var(
            "LOGIN_LIMIT_ACCOUNT",
            "failed sign-ins per account from everywhere (a ceiling above what one address can "
            "reach: a stranger's wrong passwords do not refuse the owner signing in from "
            "elsewhere)",
        ),
    ] = "30 per minute"
    trusted_proxies: Annotated[
        int,
        Field(ge=0, le=10),
        Var(
            "TRUSTED_PROXIES",
            "reverse proxies in front of the app; their `X-Forwarded-For/-Proto/-Host/-Port/"
            "-Prefix` give the client address (limits, audit log), scheme and host. With 0 "
            "those headers are ignored",
        ),
    ] = 0
    log_format: Annotated[
        Literal["text", "json"],
        Var(
            "LOG_FORMAT",
            "`json` writes one JSON object per line (web, worker and beat); see Operations",
        ),
    ] = "text"
    ratelimit_prefix: Annotated[
        str,
        Field(min_length=1),
        Var("RATELIMIT_PREFIX", "key prefix of rate-limit counters in Redis"),
    ] = "partnering"
    secure_cookies: Annotated[
        Flag,
        Var(
            "SECURE_COOKIES",
            "`Secure` cookies and HSTS (turn off only behind plain HTTP)",
            default="on in production",
        ),
    ] = False
    metrics_token: Annotated[
        str | None,
        Field(min_length=16),
        Var(
            "METRICS_TOKEN",
            "bearer token Prometheus sends to `/metrics`; without it `/metrics` is open in the "
            "embedded default and off (404) in production",
            accepted="text of 16 characters or more",
            secret=True,
        ),
    ] = None
    prometheus_multiproc_dir: Annotated[
        Path | None,
        Var(
            "PROMETHEUS_MULTIPROC_DIR",
            "folder where the processes of one server (gunicorn workers, Celery pool) share "
            "their metrics; emptied when gunicorn or the worker starts",
            default="unset: one process's metrics",
            accepted="a folder path",
        ),
    ] = None
    worker_metrics_port: Annotated[
        int | None,
        Field(ge=1, le=65535),
        Var(
            "WORKER_METRICS_PORT",
            "port on which a Celery worker serves its task metrics (`/metrics`, same token)",
            default="unset: not served",
        ),
    ] = None
    # Delivery of the outbox (see services/delivery.py and README "Notifications").
    outbox_lease_seconds: Annotated[
        int,
        Field(ge=1, le=86400),
        Var(
            "OUTBOX_LEASE_SECONDS",
            "how long a worker owns an email it is sending; a row whose worker died is "
            "retried after it",
        ),
    ] = 300
    outbox_retry_base_seconds: Annotated[
        int,
        Field(ge=1, le=86400),
        Var(
            "OUTBOX_RETRY_BASE_SECONDS",
            "retry backoff base (doubling, 50-100 % jitter, capped at 6 h)",
        ),
    ] = 30
    outbox_max_attempts: Annotated[
        int, Field(ge=1, le=100), Var("OUTBOX_MAX_ATTEMPTS", "tries before an email is `failed`")
    ] = 8
    outbox_sweep_grace_seconds: Annotated[
        int,
        Field(ge=1, le=86400),
        Var(
            "OUTBOX_SWEEP_GRACE_SECONDS", "age of a never-tried email before the sweep rings again"
        ),
    ] = 120
    smtp_timeout_seconds: Annotated[
        int,
        Field(ge=1, le=600),
        Var("SMTP_TIMEOUT_SECONDS", "SMTP socket timeout (keep it below the lease)"),
    ] = 30
    digest_hour: Annotated[
        int, Field(ge=0, le=23), Var("DIGEST_HOUR", "UTC hour from which the daily digest goes out")
    ] = 7
    silence_seconds: Annotated[
        int,
        Field(ge=1, le=86400),
        Var(
            "BACKGROUND_SILENCE_SECONDS",
            "a worker or beat heartbeat older than this shows a warning on admin pages",
        ),
    ] = 180
    celery_visibility_timeout: Annotated[
        int,
        Field(ge=1, le=7 * 86400),
        Var(
            "CELERY_VISIBILITY_TIMEOUT",
            "seconds before Redis re-delivers an unacknowledged task (above the longest task)",
        ),
    ] = 3600
    # Periodic jobs (Celery beat, or the embedded scheduler); fault tests shorten them.
    beat_heartbeat_seconds: Annotated[
        Seconds, Var("BEAT_HEARTBEAT_SECONDS", "interval of the worker heartbeat job")
    ] = 30.0
    beat_sweep_seconds: Annotated[
        Seconds, Var("BEAT_SWEEP_SECONDS", "interval of the outbox sweep")
    ] = 30.0
    beat_reminder_seconds: Annotated[
        Seconds, Var("BEAT_REMINDER_SECONDS", "interval of deadline and invitation reminders")
    ] = 3600.0
    beat_digest_seconds: Annotated[
        Seconds, Var("BEAT_DIGEST_SECONDS", "interval of the daily digest check")
    ] = 3600.0
    index_refresh_seconds: Annotated[
        Seconds, Var("INDEX_REFRESH_SECONDS", "interval of the expertise index staleness check")
    ] = 300.0
    # Leases of match jobs, index builds and imports (services/operations/leases.py).
    job_lease_seconds: Annotated[
        Seconds,
        Var(
            "JOB_LEASE_SECONDS",
            "lease of a match run, index build or import on its worker; a job whose lease ran "
            'out lost its worker (see "Jobs that never stay stuck")',
        ),
    ] = 60.0
    job_renew_seconds: Annotated[
        Seconds,
        Var(
            "JOB_RENEW_SECONDS",
            "how often a running job renews its lease (below the lease)",
            default="a third of the lease (20)",
        ),
    ] = 20.0
    job_sweep_seconds: Annotated[
        Seconds, Var("JOB_SWEEP_SECONDS", "how often the job sweep runs")
    ] = 30.0
    job_max_tries: Annotated[
        int,
        Field(ge=1, le=100),
        Var(
            "JOB_MAX_TRIES", "runs of a job before it is `failed` because its workers kept stopping"
        ),
    ] = 3
    # gunicorn (gunicorn.conf.py, used by the Dockerfile and docker-compose).
    web_concurrency: Annotated[
        int | None,
        Field(ge=1, le=256),
        Var("WEB_CONCURRENCY", "gunicorn worker processes (gthread)", default="3 per core"),
    ] = None
    web_threads: Annotated[
        int, Field(ge=1, le=64), Var("WEB_THREADS", "threads per gunicorn worker")
    ] = 1
    gunicorn_bind: Annotated[
        str, AfterValidator(host_port), Var("GUNICORN_BIND", "gunicorn's address")
    ] = "0.0.0.0:8000"

    @property
    def broker_url(self) -> str | None:
        return self.redis_url

    @property
    def mail_configured(self) -> bool:
        return bool(self.mail_server)


def variables() -> dict[str, tuple[dataclasses.Field[Any], Var, Any]]:
    """Each environment variable: its field, its ``Var`` and its annotated type."""
    hints = typing.get_type_hints(Settings, include_extras=True)
    found = {}
    for f in dataclasses.fields(Settings):
        var = next(
            (m for m in getattr(hints[f.name], "__metadata__", ()) if isinstance(m, Var)), None
        )
        if var is not None:
            found[var.name] = (f, var, hints[f.name])
    return found


_ADAPTER: TypeAdapter[Settings] | None = None


def _validate(values: dict[str, Any]) -> Settings:
    global _ADAPTER
    if _ADAPTER is None:
        _ADAPTER = TypeAdapter(Settings)
    return _ADAPTER.validate_python(values)


def _refusal(exc: ValidationError, raw: dict[str, str]) -> ConfigError:
    by_field = {f.name: (name, var, hint) for name, (f, var, hint) in variables().items()}
    problems = []
    for error in exc.errors():
        field_name = str(error["loc"][0]) if error["loc"] else ""
        if field_name not in by_field:
            problems.append(error["msg"])
            continue
        name, var, hint = by_field[field_name]
        shown = "(hidden)" if var.secret else repr(raw.get(name, ""))
        problems.append(f"{name}={shown}: accepted values: {accepted(var, hint)}")
    return ConfigError("invalid settings: " + "; ".join(dict.fromkeys(problems)))


def _embedded_secret(instance: Path) -> str:
    """A random key kept in instance/ so sessions survive a restart of the embedded app."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_url(raw: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def load_settings(env: typing.Mapping[str, str] | None = None) -> Settings:
    """Read and check the settings from ``env`` (default: the process environment).

    An empty variable counts as unset. Production is switched on by the environment alone:
    setting DATABASE_URL or REDIS_URL (or PARTNERING_ENV=production) leaves the embedded
    default, and then SECRET_KEY is required.
    """
    source = os.environ if env is None else env
    raw = {name: source[name].strip() for name in variables() if (source.get(name) or "").strip()}
    values: dict[str, Any] = {
        f.name: raw[name] for name, (f, _var, _hint) in variables().items() if name in raw
    }
    values.setdefault("secret_key", "")
    values.setdefault("database_url", "sqlite:///")  # replaced below, once checked
    values["database_url"] = _database_url(values["database_url"])
    try:
        settings = _validate(values)
    except ValidationError as exc:
        raise ConfigError(str(_refusal(exc, raw))) from None
    production = "DATABASE_URL" in raw or "REDIS_URL" in raw or settings.environment == "production"
    problems = []
    if settings.mail_use_tls and settings.mail_use_ssl:
        problems.append("MAIL_USE_TLS and MAIL_USE_SSL: accepted values: at most one of them on")
    renew = (
        settings.job_renew_seconds if "JOB_RENEW_SECONDS" in raw else settings.job_lease_seconds / 3
    )
    if renew >= settings.job_lease_seconds:
        problems.append(
            f"JOB_RENEW_SECONDS={raw.get('JOB_RENEW_SECONDS')!r}: accepted values: below "
            f"JOB_LEASE_SECONDS ({settings.job_lease_seconds:g})"
        )
    if problems:
        raise ConfigError("invalid settings: " + "; ".join(problems))
    if not settings.secret_key and production:
        raise ConfigError(
            "SECRET_KEY is not set. Outside the embedded default (DATABASE_URL, REDIS_URL "
            "or PARTNERING_ENV=production given) Partnering Machine refuses to start "
            "without it: set SECRET_KEY to a long random string, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    instance = settings.instance_path
    database_url = settings.database_url
    if "DATABASE_URL" not in raw:
        instance.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance / 'partnering.db'}"
    return dataclasses.replace(
        settings,
        database_url=database_url,
        secret_key=settings.secret_key or _embedded_secret(instance),
        embedded=not production,
        public_url=settings.public_url.rstrip("/"),
        secure_cookies=settings.secure_cookies if "SECURE_COOKIES" in raw else production,
        job_renew_seconds=renew,
    )


def load_settings_or_exit(env: typing.Mapping[str, str] | None = None) -> Settings:
    """``load_settings`` for an entry point: a refusal is one line on stderr, exit 2."""
    try:
        return load_settings(env)
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

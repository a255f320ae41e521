"""Settings from the environment, with an embedded default that needs nothing installed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """The environment asks for something impossible (e.g. production without SECRET_KEY)."""


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    redis_url: str | None = None
    embedded: bool = True
    instance_path: Path = PROJECT_ROOT / "instance"
    public_url: str = "http://127.0.0.1:5000"
    mail_server: str | None = None
    mail_port: int = 25
    mail_username: str | None = None
    mail_password: str | None = None
    mail_use_tls: bool = False
    mail_use_ssl: bool = False
    mail_ca_file: str | None = None  # CA bundle for the SMTP server's certificate
    mail_from: str = "Partnering Machine <no-reply@partnering.local>"
    max_upload_mb: int = 200
    token_hours: int = 48
    # Consortium invitations expire (an expired one counts as declined) and are reminded
    # this many days before (README "Invitations").
    invitation_expiry_days: int = 14
    invitation_reminder_days: int = 3
    # Failed sign-ins: per account from one address, per address, and a per-account ceiling
    # above what one address can reach (so a stranger cannot lock the owner out).
    login_limit_account_ip: str = "5 per minute"
    login_limit_ip: str = "10 per minute"
    login_limit_account: str = "30 per minute"
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-* headers count
    log_format: str = "text"  # or "json": one JSON object per line
    ratelimit_prefix: str = "partnering"
    secure_cookies: bool = False
    # Delivery of the outbox (see services/delivery.py and README "Notifications").
    outbox_lease_seconds: int = 300
    outbox_retry_base_seconds: int = 30
    outbox_max_attempts: int = 8
    outbox_sweep_grace_seconds: int = 120
    smtp_timeout_seconds: int = 30
    digest_hour: int = 7
    silence_seconds: int = 180
    # Celery: seconds before Redis re-delivers an unacknowledged task.
    celery_visibility_timeout: int = 3600
    # Periodic jobs (Celery beat, or the embedded scheduler); fault tests shorten them.
    beat_heartbeat_seconds: float = 30.0
    beat_sweep_seconds: float = 30.0
    beat_reminder_seconds: float = 3600.0
    beat_digest_seconds: float = 3600.0
    index_refresh_seconds: float = 300.0
    # Leases of match jobs, index builds and imports (services/operations/leases.py): a
    # worker renews its job's lease every JOB_RENEW_SECONDS; the sweep (every
    # JOB_SWEEP_SECONDS) queues a job whose lease ran out again, JOB_MAX_TRIES runs at most.
    job_lease_seconds: float = 60.0
    job_renew_seconds: float = 20.0
    job_sweep_seconds: float = 30.0
    job_max_tries: int = 3
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def broker_url(self) -> str | None:
        return self.redis_url

    @property
    def mail_configured(self) -> bool:
        return bool(self.mail_server)


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


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment).

    Production is switched on by the environment alone: setting DATABASE_URL or REDIS_URL
    (or PARTNERING_ENV=production) leaves the embedded default, and then SECRET_KEY is
    required.
    """
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    database_url = env.get("DATABASE_URL") or ""
    redis_url = env.get("REDIS_URL") or None
    production = bool(database_url) or bool(redis_url) or env.get("PARTNERING_ENV") == "production"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    if not database_url:
        instance.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance / 'partnering.db'}"
    lease = float(env.get("JOB_LEASE_SECONDS") or 60)
    secret = env.get("SECRET_KEY") or ""
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Outside the embedded default (DATABASE_URL, REDIS_URL "
                "or PARTNERING_ENV=production given) Partnering Machine refuses to start "
                "without it: set SECRET_KEY to a long random string, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        secret = _embedded_secret(instance)
    return Settings(
        database_url=database_url,
        secret_key=secret,
        redis_url=redis_url,
        embedded=not production,
        instance_path=instance,
        public_url=(env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        mail_server=env.get("MAIL_SERVER") or None,
        mail_port=int(env.get("MAIL_PORT") or 25),
        mail_username=env.get("MAIL_USERNAME") or None,
        mail_password=env.get("MAIL_PASSWORD") or None,
        mail_use_tls=_flag(env.get("MAIL_USE_TLS")),
        mail_use_ssl=_flag(env.get("MAIL_USE_SSL")),
        mail_ca_file=env.get("MAIL_CA_FILE") or None,
        mail_from=env.get("MAIL_FROM") or "Partnering Machine <no-reply@partnering.local>",
        max_upload_mb=int(env.get("MAX_UPLOAD_MB") or 200),
        token_hours=int(env.get("TOKEN_HOURS") or 48),
        invitation_expiry_days=int(env.get("INVITATION_EXPIRY_DAYS") or 14),
        invitation_reminder_days=int(env.get("INVITATION_REMINDER_DAYS") or 3),
        login_limit_account_ip=env.get("LOGIN_LIMIT_ACCOUNT_IP") or "5 per minute",
        login_limit_ip=env.get("LOGIN_LIMIT_IP") or "10 per minute",
        login_limit_account=env.get("LOGIN_LIMIT_ACCOUNT") or "30 per minute",
        trusted_proxies=int(env.get("TRUSTED_PROXIES") or 0),
        log_format="json" if (env.get("LOG_FORMAT") or "").strip().lower() == "json" else "text",
        ratelimit_prefix=env.get("RATELIMIT_PREFIX") or "partnering",
        secure_cookies=_flag(env.get("SECURE_COOKIES"), default=production),
        outbox_lease_seconds=int(env.get("OUTBOX_LEASE_SECONDS") or 300),
        outbox_retry_base_seconds=int(env.get("OUTBOX_RETRY_BASE_SECONDS") or 30),
        outbox_max_attempts=int(env.get("OUTBOX_MAX_ATTEMPTS") or 8),
        outbox_sweep_grace_seconds=int(env.get("OUTBOX_SWEEP_GRACE_SECONDS") or 120),
        smtp_timeout_seconds=int(env.get("SMTP_TIMEOUT_SECONDS") or 30),
        digest_hour=int(env.get("DIGEST_HOUR") or 7),
        silence_seconds=int(env.get("BACKGROUND_SILENCE_SECONDS") or 180),
        celery_visibility_timeout=int(env.get("CELERY_VISIBILITY_TIMEOUT") or 3600),
        beat_heartbeat_seconds=float(env.get("BEAT_HEARTBEAT_SECONDS") or 30),
        beat_sweep_seconds=float(env.get("BEAT_SWEEP_SECONDS") or 30),
        beat_reminder_seconds=float(env.get("BEAT_REMINDER_SECONDS") or 3600),
        beat_digest_seconds=float(env.get("BEAT_DIGEST_SECONDS") or 3600),
        index_refresh_seconds=float(env.get("INDEX_REFRESH_SECONDS") or 300),
        job_lease_seconds=lease,
        job_renew_seconds=float(env.get("JOB_RENEW_SECONDS") or lease / 3),
        job_sweep_seconds=float(env.get("JOB_SWEEP_SECONDS") or 30),
        job_max_tries=max(1, int(env.get("JOB_MAX_TRIES") or 3)),
    )

from __future__ import annotations

import subprocess
import sys

import pytest

from services.core.config import ConfigError, load_settings


def test_embedded_default_needs_nothing(tmp_path) -> None:
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)})
    assert settings.embedded
    assert settings.database_url == f"sqlite:///{tmp_path / 'partnering.db'}"
    assert settings.redis_url is None and not settings.mail_configured
    assert len(settings.secret_key) > 40
    # the generated key is kept, so sessions survive a restart
    assert load_settings({"INSTANCE_PATH": str(tmp_path)}).secret_key == settings.secret_key


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgresql://db/x"},
        {"REDIS_URL": "redis://r:6379/0"},
        {"PARTNERING_ENV": "production"},
    ],
)
def test_production_requires_secret_key(env, tmp_path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings({**env, "INSTANCE_PATH": str(tmp_path)})


def test_postgres_urls_use_psycopg3() -> None:
    s = load_settings({"DATABASE_URL": "postgres://u@h/db", "SECRET_KEY": "k" * 40})
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert not s.embedded and s.secure_cookies


def test_cli_refuses_to_start_without_secret_key(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "webapp", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr


BAD = {"MAIL_PORT": "abc", "MAIL_USE_TLS": "ture", "DIGEST_HOUR": "31"}
BAD_LINE = (
    "Error: invalid settings: MAIL_PORT='abc': accepted values: an integer from 1 to 65535; "
    "MAIL_USE_TLS='ture': accepted values: true/false, 1/0, yes/no, on/off; "
    "DIGEST_HOUR='31': accepted values: an integer from 0 to 23"
)


@pytest.mark.parametrize(
    ("env", "bad"),
    [
        ({"MAIL_PORT": "abc"}, "MAIL_PORT='abc'"),
        ({"MAIL_USE_TLS": "ture"}, "MAIL_USE_TLS='ture'"),
        ({"DIGEST_HOUR": "31"}, "DIGEST_HOUR='31'"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml': accepted values: `text` or `json`"),
        ({"LOGIN_LIMIT_IP": "ten"}, "LOGIN_LIMIT_IP='ten'"),
        ({"REDIS_URL": "http://r"}, "REDIS_URL='http://r'"),
        ({"JOB_LEASE_SECONDS": "3", "JOB_RENEW_SECONDS": "3"}, "below JOB_LEASE_SECONDS"),
        ({"MAIL_USE_TLS": "on", "MAIL_USE_SSL": "on"}, "at most one of them"),
        ({"METRICS_TOKEN": "short-secret"}, "METRICS_TOKEN=(hidden)"),
    ],
)
def test_bad_values_are_refused_by_name(env, bad, tmp_path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({**env, "INSTANCE_PATH": str(tmp_path)})
    assert bad in str(refused.value) and "\n" not in str(refused.value)
    assert "short-secret" not in str(refused.value)


def test_booleans_take_only_the_eight_words(tmp_path) -> None:
    base = {"INSTANCE_PATH": str(tmp_path)}
    for word, value in [("true", True), ("ON", True), ("1", True), ("No", False), ("off", False)]:
        assert load_settings({**base, "MAIL_USE_TLS": word}).mail_use_tls is value
    for word in ("t", "y", "enabled", "2"):
        with pytest.raises(ConfigError, match="MAIL_USE_TLS"):
            load_settings({**base, "MAIL_USE_TLS": word})
    assert load_settings({**base, "MAIL_USE_TLS": " "}).mail_use_tls is False  # empty: unset


def test_create_app_refuses_bad_settings(monkeypatch, tmp_path) -> None:
    from webapp import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name, value in BAD.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="MAIL_PORT='abc'"):
        create_app()


def _run(args: list[str], tmp_path, cwd=None) -> subprocess.CompletedProcess[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(root), **BAD}
    return subprocess.run(
        args, env=env, cwd=cwd or root, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "webapp", "db", "current"],  # the partnering command
        ["-m", "gunicorn", "webapp.wsgi:app"],  # the web app: checked in gunicorn's master
        ["-m", "celery", "-A", "workers.entry", "worker"],  # beat starts through the same
    ],
    ids=["cli", "gunicorn", "worker"],
)
def test_entry_points_exit_2_with_one_line(command, tmp_path) -> None:
    result = _run([sys.executable, *command], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == BAD_LINE

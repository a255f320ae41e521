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

"""Schema migrations (Alembic), run by ``partnering db ...`` and by tests."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import make_engine
from services.core.config import PROJECT_ROOT


@dataclass(frozen=True)
class Step:
    """What an upgrade or downgrade did: the revision before and after, migrations run."""

    verb: str  # "Upgraded" / "Downgraded"
    before: str | None
    after: str | None
    count: int

    def __str__(self) -> str:
        after = self.after or "(empty)"
        if self.count == 0:
            return f"Database schema already at {after}: nothing to do."
        plural = "migration" if self.count == 1 else "migrations"
        return f"{self.verb} from {self.before or '(empty)'} to {after} ({self.count} {plural})."


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def current_revision(database_url: str) -> str | None:
    """The applied revision, None for an empty database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _count(cfg: Config, upper: str | None, lower: str | None) -> int:
    if upper == lower or upper is None:
        return 0
    script = ScriptDirectory.from_config(cfg)
    return sum(1 for _ in script.iterate_revisions(upper, lower or "base"))


def upgrade(database_url: str, revision: str = "head") -> Step:
    cfg = alembic_config(database_url)
    before = current_revision(database_url)
    command.upgrade(cfg, revision)
    after = current_revision(database_url)
    return Step("Upgraded", before, after, _count(cfg, after, before))


def downgrade(database_url: str, revision: str = "base") -> Step:
    cfg = alembic_config(database_url)
    before = current_revision(database_url)
    command.downgrade(cfg, revision)
    after = current_revision(database_url)
    return Step("Downgraded", before, after, _count(cfg, before, after))


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=True)

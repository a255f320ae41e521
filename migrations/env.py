"""Alembic environment: the URL comes from the caller (services.schema), never a file."""

from __future__ import annotations

from alembic import context

import models
from models.base import UTCDateTime
from models.db import make_engine

config = context.config
target_metadata = models.Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC timestamp type as a plain DateTime, so revisions never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    url = config.attributes.get("database_url")
    if not url:
        raise RuntimeError("run migrations with `partnering db upgrade` (it supplies the URL)")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()

"""``partnering db upgrade|downgrade|current``: the schema migrations (Alembic).

Alembic is imported by these commands only: every other command (``partnering suggest``
above all) starts without it.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: all)."""
    from services.core import schema

    click.echo(str(schema.upgrade(current_app.config["SETTINGS"].database_url, revision)))


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from services.core import schema

    click.echo(str(schema.downgrade(current_app.config["SETTINGS"].database_url, revision)))


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the applied revision."""
    from services.core import schema

    schema.current(current_app.config["SETTINGS"].database_url)

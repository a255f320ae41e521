"""The ``partnering`` command: Flask's CLI plus our commands.

Each command is one transaction committed here (the CLI's single commit point).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.orm import Session

from services.accounts import users as accounts
from services.core import schema
from services.core.config import ConfigError
from services.core.context import RequestContext
from services.core.errors import ServiceError
from services.demo import load as demo


def _create_app():  # type: ignore[no-untyped-def]
    from webapp import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@contextmanager
def cli_session() -> Iterator[Session]:
    """One transaction per command: committed on success, rolled back on any error."""
    from workers.dispatch import wait_idle

    session = current_app.extensions["partnering.sessions"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    wait_idle()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Partnering Machine: call topics, pledges and consortium matching."""


@main.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: all)."""
    schema.upgrade(current_app.config["SETTINGS"].database_url, revision)
    click.echo("Database schema is up to date.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    schema.downgrade(current_app.config["SETTINGS"].database_url, revision)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the applied revision."""
    schema.current(current_app.config["SETTINGS"].database_url)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "coordinator", "viewer"]), default="viewer")
@click.password_option(help="At least 10 characters.")
@with_appcontext
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account with a password (for the first administrator)."""
    try:
        with cli_session() as session:
            user = accounts.create_user(
                session, RequestContext(None), email=email, name=name, role=role, password=password
            )
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.role} {user.email}.")


@main.command("demo")
@with_appcontext
def load_demo() -> None:
    """Load the demo programme, people, organisations and topics (once)."""
    with cli_session() as session:
        created = demo.load(session)
    if not created:
        click.echo("The demo is already loaded.")
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for email, role in demo.DEMO_ACCOUNTS:
        click.echo(f"  {role:<32} {email}")


from webapp.cli_cordis import import_cordis  # noqa: E402 - registers on the group

main.add_command(import_cordis)

from webapp.cli_consortia import build_index, suggest_command  # noqa: E402

main.add_command(build_index)
main.add_command(suggest_command)

if __name__ == "__main__":
    main()

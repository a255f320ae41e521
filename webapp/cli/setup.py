"""``partnering create-user`` (the first administrator) and ``partnering demo``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from services.accounts import users as accounts
from services.core.context import RequestContext
from services.core.errors import ServiceError
from services.demo import load as demo
from webapp.cli.session import command_session


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "coordinator", "viewer"]), default="viewer")
@click.password_option(help="At least 10 characters.")
@with_appcontext
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account with a password (for the first administrator)."""
    try:
        with command_session() as session:
            user = accounts.create_user(
                session, RequestContext(None), email=email, name=name, role=role, password=password
            )
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.role} {user.email}.")


@click.command("demo")
@with_appcontext
def load_demo() -> None:
    """Load the demo programme, people, organisations and topics (once)."""
    with command_session() as session:
        created = demo.load(session)
    if not created:
        click.echo("The demo is already loaded.")
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for email, role in demo.DEMO_ACCOUNTS:
        click.echo(f"  {role:<32} {email}")

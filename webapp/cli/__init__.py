"""The ``partnering`` command: Flask's CLI plus our commands.

The command modules know nothing of this group; each command is one transaction
(``webapp.cli.session.command_session``, the runtime's commit point). A command's module
is imported when that command runs (click's documented lazy-loading pattern): a command
then pays only for its own imports, and ``partnering suggest`` starts without the web
app behind the others.
"""

from __future__ import annotations

import importlib
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from services.core.config import ConfigError

COMMANDS = {
    "db": "webapp.cli.schema:db_group",
    "create-user": "webapp.cli.setup:create_user",
    "demo": "webapp.cli.setup:load_demo",
    "import-cordis": "webapp.cli.cordis:import_cordis",
    "build-index": "webapp.cli.consortia:build_index",
    "suggest": "webapp.cli.suggest:suggest_command",
}


def _create_app() -> Flask:
    from webapp import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


class PartneringGroup(FlaskGroup):
    """Flask's group whose own commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=PartneringGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Partnering Machine: call topics, pledges and consortium matching."""

"""The ``partnering`` command: Flask's CLI plus our commands.

The command modules know nothing of this group; each command is one transaction
(``webapp.cli.session.command_session``, the runtime's commit point).
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from services.core.config import ConfigError
from webapp import create_app
from webapp.cli.consortia import build_index, suggest_command
from webapp.cli.cordis import import_cordis
from webapp.cli.schema import db_group
from webapp.cli.setup import create_user, load_demo


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Partnering Machine: call topics, pledges and consortium matching."""


for command in (db_group, create_user, load_demo, import_cordis, build_index, suggest_command):
    main.add_command(command)

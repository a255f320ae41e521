"""``partnering build-index`` (``partnering suggest`` is in webapp/cli/suggest.py)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from services.consortia import expertise_index as matching_index
from services.core.context import RequestContext
from webapp.cli.session import command_session


@click.command("build-index")
@click.option("--if-stale", is_flag=True, help="Build only when the data changed.")
@with_appcontext
def build_index(if_stale: bool) -> None:
    """Build the expertise index from the database now (matching needs it)."""
    instance = current_app.config["SETTINGS"].instance_path
    with command_session() as session:
        if if_stale and matching_index.current_version(session) is not None:
            if matching_index.refresh_if_stale(session) is None:
                click.echo("The expertise index is up to date.")
                return
            session.flush()
        version = matching_index.build_now(session, RequestContext(None), instance, "command line")
    if version.status != "ready":
        raise click.ClickException(version.message or f"The build ended {version.status}.")
    click.echo(
        f"Expertise index version {version.id}: {version.n_candidates} organisations, "
        f"{version.n_projects} projects, {version.n_links} participations, "
        f"built in {version.build_seconds:.1f} s."
    )

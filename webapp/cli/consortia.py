"""``partnering build-index`` and ``partnering suggest FILE.json``."""

from __future__ import annotations

import json
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from services.consortia import expertise_index as matching_index
from services.consortia import suggest
from services.core.context import RequestContext
from services.core.errors import ServiceError
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


@click.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def suggest_command(file: str) -> None:
    """Print a consortium for the topic described in FILE (JSON) as JSON.

    Exit codes: 0 a consortium, 1 none possible or no data, 2 malformed input.
    """
    t0 = time.perf_counter()
    try:
        data = suggest.read_file(file)
    except ServiceError as exc:
        click.echo(f"Error: {file}: {exc.message}", err=True)
        sys.exit(2)
    instance = current_app.config["SETTINGS"].instance_path
    try:
        with command_session() as session:
            version = matching_index.current_version(session)
            if version is None:
                click.echo("No expertise index yet: building it now (once).", err=True)
                version = matching_index.build_now(
                    session, RequestContext(None), instance, "partnering suggest"
                )
                if version.status != "ready":
                    raise click.ClickException(version.message or "The index build failed.")
            index = matching_index.load_index(version, instance)
            if index.n_candidates == 0:
                raise click.ClickException(
                    "No organisations in the database: run `partnering import-cordis` first."
                )
            result = suggest.suggest(session, index, data, version.id)
    except ServiceError as exc:
        click.echo(f"Error: {file}: {exc.message}", err=True)
        sys.exit(2 if exc.status == 400 else 1)
    result["elapsed_ms"] = round((time.perf_counter() - t0) * 1e3, 1)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if not result["feasible"]:
        click.echo("No consortium meets the request: " + "; ".join(result["problems"]), err=True)
        sys.exit(1)

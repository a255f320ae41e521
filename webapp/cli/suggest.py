"""``partnering suggest FILE.json``: a consortium for a topic described in JSON, as JSON.

It starts cold on every call, so it builds no web app and no task runtime: the settings,
one database session that only reads (nothing is committed here) and the index. Only
when there is no index yet does it build one, through the runtime's transaction as
``partnering build-index`` does. Under an app context (tests) it uses the app's settings
and runtime instead of the environment's.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from services.consortia import expertise_index as matching_index
from services.consortia import suggest
from services.core.config import Settings, load_settings_or_exit
from services.core.errors import ServiceError


@click.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False))
def suggest_command(file: str) -> None:
    """Print a consortium for the topic described in FILE (JSON) as JSON.

    Exit codes: 0 a consortium, 1 none possible or no data, 2 malformed input.
    """
    t0 = time.perf_counter()
    settings = current_app.config["SETTINGS"] if has_app_context() else load_settings_or_exit()
    try:
        data = suggest.read_file(file)
    except ServiceError as exc:
        click.echo(f"Error: {file}: {exc.message}", err=True)
        sys.exit(2)
    try:
        with _reading(settings) as session:
            version = matching_index.current_version(session)
            if version is None:
                click.echo("No expertise index yet: building it now (once).", err=True)
                _build_index(settings)
                session.rollback()  # a new snapshot: the one taken before cannot see it
                version = matching_index.current_version(session)
            if version is None or version.status != "ready":
                raise click.ClickException("The index build failed.")
            index = matching_index.load_index(version, settings.instance_path)
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


@contextmanager
def _reading(settings: Settings) -> Iterator[Session]:
    """A session that reads only: rolled back and closed at the end, whatever happens."""
    if has_app_context():
        from webapp.database import current_runtime

        session = current_runtime().sessions()
        engine = None
    else:
        from models.db import make_engine

        engine = make_engine(settings.database_url, immediate=False)
        session = Session(engine)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        if engine is not None:
            engine.dispose()


def _build_index(settings: Settings) -> None:
    """Build the first index in the runtime's transaction (the commit point of commands)."""
    from services.core.context import RequestContext

    owned: Any = None
    if has_app_context():
        from webapp.database import current_runtime

        runtime = current_runtime()
    else:
        from workers.runtime import build_runtime

        runtime = owned = build_runtime(settings)
    try:
        with runtime.session_scope() as session:
            version = matching_index.build_now(
                session, RequestContext(None), settings.instance_path, "partnering suggest"
            )
            if version.status != "ready":
                raise click.ClickException(version.message or "The index build failed.")
        runtime.dispatcher.wait_idle()
    finally:
        if owned is not None:
            owned.close()

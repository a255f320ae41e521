"""``partnering import-cordis``: the CORDIS import from a terminal (one transaction)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import with_appcontext

from models import ImportRun
from services.core.context import RequestContext
from services.core.errors import ServiceError
from services.organisations import cordis_import
from webapp.cli.session import command_session


class _Bar:
    """A click progress bar on a terminal; phase lines otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()
        self.bar: Any = None
        self.shown = 0
        self.phase = ""

    def __call__(self, run: ImportRun) -> None:
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=100, label="Importing CORDIS", width=40)
                self.bar.__enter__()
            self.bar.update(run.progress - self.shown)
            self.shown = run.progress
        elif run.phase != self.phase and not run.finished:
            self.phase = run.phase
            click.echo(f"Importing {run.phase}...")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import-cordis")
@click.argument("download", required=False, type=click.Path())
@click.option("--projects", "projects", type=click.Path(dir_okay=False))
@click.option("--organisations", "organisations", type=click.Path(dir_okay=False))
@with_appcontext
def import_cordis(download: str | None, projects: str | None, organisations: str | None) -> None:
    """Import a CORDIS download: the official zip (FP7, H2020, Horizon Europe), a folder
    with project.csv and organization.csv, or the two files (.csv, .csv.gz or .zip)."""
    bar = _Bar()
    try:
        if download and not (projects or organisations):
            projects, organisations = map(str, cordis_import.resolve_download(download))
        elif download or not (projects and organisations):
            raise click.UsageError("Give a download, or both --projects and --organisations.")
        with command_session() as session:
            run = cordis_import.create_run(session, RequestContext(None), projects, organisations)
            cordis_import.run_import(session, run.id, on_progress=bar)
            bar.close()
            lines = cordis_import.report_lines(session, run)
            if run.status != "done":
                raise click.ClickException("\n".join(lines) + "\nNothing was saved.")
    except ServiceError as exc:
        raise click.ClickException(f"{exc.message} Nothing was imported.") from exc
    finally:
        bar.close()
    click.echo("\n".join(lines))

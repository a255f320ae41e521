"""`partnering suggest FILE.json` and `partnering build-index`."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

import models
from webapp.cli.consortia import build_index
from webapp.cli.suggest import suggest_command


def _suggest(app, tmp_path, body):
    path = tmp_path / "topic.json"
    path.write_text(body if isinstance(body, str) else json.dumps(body))
    with app.app_context():  # the command then uses the app's settings and runtime
        return app.test_cli_runner().invoke(suggest_command, [str(path)])


VALID = {
    "title": "Pertussis vaccine for infants",
    "text": "adjuvant antigen immunogenicity clinical trial",
    "keywords": ["vaccine", "pertussis"],
    "size": 5,
    "sector_counts": {"HES": 2, "PRC": 1},
    "min_countries": 3,
    "alternates": 4,
}


def test_suggest_prints_a_consortium(app, pool, tmp_path):
    body = dict(
        VALID, must_include=[pool["by_name"]["Nordic Vax"].pic], exclude=[pool["orgs"][0].id]
    )
    result = _suggest(app, tmp_path, body)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    members = out["consortium"]
    assert len(members) == 5 and len(out["alternates"]) == 4
    assert {"pic", "name", "sector", "country", "score", "why"} <= set(members[0])
    names = [m["name"] for m in members]
    assert "Nordic Vax" in names and pool["orgs"][0].legal_name not in names
    assert sum(m["sector"] == "academia" for m in members) >= 2
    assert sum(m["sector"] in ("industry", "sme") for m in members) >= 1
    assert [m["score"] for m in out["alternates"]] == sorted(
        (m["score"] for m in out["alternates"]), reverse=True
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (dict(VALID, size=0), "size: Enter a whole number between 1 and 200."),
        (dict(VALID, size="5"), "size: Enter a whole number between 1 and 200."),
        (dict(VALID, size=201), "size: Enter a whole number between 1 and 200."),
        (dict(VALID, alternates=-1), "alternates: Enter a whole number between 0 and 500."),
        (dict(VALID, sector_counts={"XYZ": 1}), "sector_counts: Unknown sector 'XYZ'"),
        (dict(VALID, sector_counts={"HES": 6}), "more than the size 5"),
        (dict(VALID, must_include=list(range(1, 202))), "give at most 200 organisations"),
        (dict(VALID, sector_counts={"PRC": 1, "industry": 1}), "overlap"),
        (dict(VALID, keywords="vaccine"), "keywords must be a list"),
        (dict(VALID, colour="blue"), "unknown field"),
        (dict(VALID, must_include=["000000000"]), "no organisation with PIC"),
        ({"size": 3}, "give a title or a text"),
        (dict(VALID, programme="HORIZON-JU-IHI"), "call must be the topic's call identifier"),
        (dict(VALID, call="HORIZON-JU-IHI-2024-08"), "programme must be a call-identifier"),
        (dict(VALID, programme="IHI JU", call="HORIZON-JU-IHI-2024-08"), "programme must be"),
        (dict(VALID, programme=["A"] * 51, call="HORIZON-JU-IHI-2024-08"), "at most 50"),
        (dict(VALID, programme="HORIZON-JU-IHI", call="HORIZON-JU-IHI-next"), "with its year"),
        (dict(VALID, programme="HORIZON-JU-IHI", call=2024), "call must be"),
        (dict(VALID, associated_partners="maybe"), "associated_partners: Choose"),
    ],
)
def test_malformed_input_exits_2(app, pool, tmp_path, body, message):
    result = _suggest(app, tmp_path, body)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_file_exits_2(app, tmp_path):
    result = app.test_cli_runner().invoke(suggest_command, [str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_infeasible_request_exits_1(app, pool, tmp_path):
    result = _suggest(app, tmp_path, dict(VALID, min_countries=40))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["feasible"] is False
    assert "eligible countries" in result.stderr


def test_build_index_command(app, pool, db):
    first = db.scalar(select(func.max(models.ExpertiseIndexVersion.id)))
    runner = app.test_cli_runner()
    result = runner.invoke(build_index, ["--if-stale"])
    assert result.exit_code == 0 and "up to date" in result.stdout
    result = runner.invoke(build_index, [])
    assert result.exit_code == 0, result.stderr
    built = re.search(r"Expertise index version (\d+):", result.stdout)
    assert built and int(built.group(1)) > first  # a new build, not the pool's


def test_suggest_in_a_new_process_starts_without_the_web_app(pool, settings, tmp_path):
    """The real command line, cold: settings from the environment, a reading session, the
    stored index; neither the web app, nor the task runtime, nor scikit-learn imported."""
    import os
    import subprocess
    import sys

    path = tmp_path / "topic.json"
    path.write_text(json.dumps(VALID))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PARTNERING_ENV")}
    env.update(DATABASE_URL=settings.database_url, INSTANCE_PATH=str(settings.instance_path),
               SECRET_KEY=settings.secret_key)  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "webapp", "suggest", str(path)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(json.loads(done.stdout)["consortium"]) == VALID["size"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "matching.consortium" in imported  # the import log is the one of this run
    assert not {"webapp.factory", "workers.runtime", "celery", "sklearn"} & imported


def test_every_command_is_listed_under_its_own_name():
    """The lazy group's names are the commands' own (``partnering demo``, not a second
    spelling), and each loads."""
    import click

    from webapp.cli import COMMANDS, main

    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
    assert set(COMMANDS) <= set(main.list_commands(ctx))

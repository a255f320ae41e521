"""The official CORDIS bulk downloads (FP7, H2020, Horizon Europe) as zips and loose files,
one after another into one registry; programmes and funding bodies of projects."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import CordisProject, ImportRun, Organisation, Participation
from services.core.context import RequestContext
from services.core.errors import InvalidInput
from services.organisations import cordis_import
from tests.services import cordis_files as cf
from tests.services import cordis_official as official


def run(db: Session, projects: Path, organisations: Path) -> ImportRun:
    r = cordis_import.create_run(db, RequestContext(None), projects, organisations)
    cordis_import.run_import(db, r.id)
    db.commit()
    return r


def run_download(db: Session, source: Path) -> ImportRun:
    return run(db, *cordis_import.resolve_download(source))


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def written(r: ImportRun) -> int:
    return sum(v for k, v in r.counts.items() if k.endswith(("_created", "_updated")))


@pytest.mark.parametrize(
    ("kind", "project_id", "framework", "body", "legal"),
    [
        ("he", "101112001", "HORIZON", "IHI JU", "HORIZON.2.1"),
        ("h2020", "945001", "H2020", "IMI2 JU", "H2020-EU.3.1.7.; H2020-EU.3.1."),
        ("fp7", "115001", "FP7", "IMI JU", "FP7-JTI"),
    ],
)
def test_official_zip_imports_with_its_side_files(
    app, db, tmp_path, kind, project_id, framework, body, legal
):
    r = run_download(db, official.write_zip(tmp_path, kind))
    assert r.status == "done" and r.counts.get("rows_skipped", 0) == 0, r.counts
    assert (r.counts["projects_created"], r.counts["organisations_created"]) == (2, 5)
    assert r.counts["participations_created"] == 6
    project = db.get(CordisProject, project_id)
    assert (project.framework_programme, project.funding_body) == (framework, body)
    assert project.legal_basis == legal
    assert project.topic_title == f"Topic of {project.acronym}"  # topics.csv
    assert project.euroscivoc == "pharmacology; immunology"  # euroSciVoc.csv
    assert project.call and project.topic and project.start_date.year >= 2009
    if kind == "h2020":  # decimal commas
        assert project.total_cost == Decimal("12000000.50")


@pytest.mark.parametrize("gz", [False, True])
def test_loose_files_with_side_files_import_like_the_zip(app, db, tmp_path, gz):
    folder = official.write_loose(tmp_path / "loose", "h2020", gz=gz)
    projects, organisations = cordis_import.resolve_download(folder)
    assert projects.name.startswith("project.csv") and organisations.name.startswith("organiz")
    r = run(db, projects, organisations)
    assert r.counts["projects_created"] == 2 and r.counts["participations_created"] == 6
    project = db.get(CordisProject, "945001")
    assert project.topic_title == "Topic of IMI2-TWO" and "immunology" in project.euroscivoc
    # the project.csv of the folder names the same download
    assert cordis_import.resolve_download(projects) == (projects, organisations)


def test_mixed_sequence_of_programmes_into_one_registry(app, db, tmp_path):
    he_layout = run(db, *cf.write(tmp_path / "cordis-he"))  # today's layout (projectID...)
    assert he_layout.status == "done"
    zips = [official.write_zip(tmp_path / k, k) for k in ("he", "h2020", "fp7")]
    for z in zips:
        assert run_download(db, z).status == "done"
    # One organisation per PIC across programmes: KI is in all four downloads.
    pics = db.scalars(select(Organisation.pic)).all()
    assert len(pics) == len(set(pics)) == 5
    ki = db.scalar(select(Organisation).where(Organisation.pic == official.KI))
    assert (
        db.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.organisation_id == ki.id)
        )
        == 2 + 3 * 2
    )
    frameworks = dict(
        db.execute(
            select(CordisProject.framework_programme, func.count()).group_by(
                CordisProject.framework_programme
            )
        ).all()
    )
    assert frameworks == {"HORIZON": 4, "H2020": 2, "FP7": 2}
    # Re-importing an unchanged download writes nothing.
    for z in zips:
        again = run_download(db, z)
        assert again.status == "done" and written(again) == 0, again.counts


def test_a_zip_without_organisations_is_refused_naming_it(app, db, tmp_path):
    path = tmp_path / "only-projects.zip"
    with zipfile.ZipFile(path, "w") as archive:
        header, rows = official.members("he")["project.csv"]
        archive.writestr("project.csv", cf.to_csv(header, rows))
    with pytest.raises(InvalidInput, match="organisationID"):
        cordis_import.create_run(db, RequestContext(None), path, path)
    db.rollback()
    assert count(db, ImportRun) == count(db, CordisProject) == 0


def test_a_folder_without_the_files_is_refused(app, db, tmp_path):
    folder = official.write_loose(tmp_path / "x", "he")
    (folder / "organization.csv").unlink()
    with pytest.raises(InvalidInput, match="missing: organisations"):
        cordis_import.resolve_download(folder / "project.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="projects, organisations"):
        cordis_import.resolve_download(tmp_path / "empty")


def test_cli_takes_one_download(app, db, tmp_path):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from webapp.cli import main

    info = ScriptInfo(create_app=lambda: app)
    runner = CliRunner()
    result = runner.invoke(main, ["import-cordis", str(official.write_zip(tmp_path, "fp7"))],
                           obj=info)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "participations created" in result.output
    assert runner.invoke(main, ["import-cordis"], obj=info).exit_code == 2
    folder = tmp_path / "empty"
    folder.mkdir()
    result = runner.invoke(main, ["import-cordis", str(folder)], obj=info)
    assert result.exit_code == 1 and "Nothing was imported" in result.output


def test_a_broken_side_file_leaves_the_projects_importing(app, db, tmp_path):
    edit = {"euroSciVoc.csv": [], "topics.csv": [{"projectID": "x"}]}
    path = official.write_zip(tmp_path, "he", edit=edit)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("legalBasis.csv", b"\xff\xfe not csv at all")
    r = run_download(db, path)
    assert r.status == "done" and r.counts["projects_created"] == 2
    project = db.get(CordisProject, "101112001")
    assert project.euroscivoc == "" and project.topic_title == ""

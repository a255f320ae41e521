"""The CORDIS importer on small slices: idempotent, updates in place, reports bad rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    CordisProject,
    ImportIssue,
    ImportRun,
    NameWord,
    Organisation,
    Participation,
)
from services.core.context import RequestContext
from services.core.errors import InvalidInput, PermissionDenied
from services.organisations import cordis_import
from tests.services import cordis_files as cf
from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, to_csv


def run(db: Session, projects: Path, organisations: Path) -> ImportRun:
    r = cordis_import.create_run(db, RequestContext(None), projects, organisations)
    cordis_import.run_import(db, r.id)
    db.commit()
    return r


def snapshot(db: Session) -> dict[str, list]:
    """Every imported row with all its columns (updated_at included)."""
    out = {}
    for model in (CordisProject, Organisation, Participation, NameWord):
        rows = db.execute(select(model.__table__).order_by(*model.__table__.primary_key)).all()
        out[model.__tablename__] = [tuple(r) for r in rows]
    return out


def test_import_stores_projects_once_and_participations(app, db, tmp_path):
    r = run(db, *cf.write(tmp_path))
    assert r.status == "done" and r.progress == 100
    c = r.counts
    assert (c["projects_created"], c["organisations_created"], c["participations_created"]) == (
        2,
        4,
        5,
    )
    assert c["third_parties_left_out"] == 1 and c.get("rows_skipped", 0) == 0
    assert db.scalar(select(func.count()).select_from(CordisProject)) == 2
    ki = db.scalar(select(Organisation).where(Organisation.pic == "999000001"))
    assert (ki.legal_name, ki.short_name, ki.country, ki.sector, ki.is_sme) == (
        "KAROLINSKA INSTITUTET",
        "KI",
        "SE",
        "academia",
        False,
    )
    assert db.scalar(select(Organisation).where(Organisation.pic == "999000004")) is None
    startup = db.scalar(select(Organisation).where(Organisation.pic == "999000003"))
    assert startup.sector == "sme" and startup.is_sme
    part = db.scalar(select(Participation).where(Participation.organisation_id == startup.id))
    assert part.role == "associatedPartner" and part.is_associated_partner
    assert part.eu_contribution is None and part.total_cost == Decimal("0")
    coord = db.scalar(
        select(Participation).where(
            Participation.organisation_id == ki.id, Participation.project_id == cf.P1
        )
    )
    assert coord.role == "coordinator" and coord.eu_contribution == Decimal("1000000.50")
    assert not coord.is_associated_partner
    project = db.get(CordisProject, cf.P1)
    assert project.keywords == "antibiotics; resistance" and project.euroscivoc == "microbiology"
    assert ki.search_name == "karolinska institutet ki"


def test_second_import_changes_nothing(app, db, tmp_path):
    files = cf.write(tmp_path, compress="gz")
    run(db, *files)
    before = snapshot(db)
    second = run(db, *files)
    c = second.counts
    assert c["projects_unchanged"] == 2 and c["organisations_unchanged"] == 4
    assert c["participations_unchanged"] == 5
    assert not any(c.get(k) for k in c if k.endswith(("_created", "_updated")))
    db.expire_all()
    assert snapshot(db) == before


def test_newer_version_updates_in_place(app, db, tmp_path):
    run(db, *cf.write(tmp_path / "v1"))
    ids = dict(db.execute(select(Organisation.pic, Organisation.id)).all())
    newer_orgs = cf.participations()
    newer_orgs[0].update(name="KAROLINSKA INSTITUTET (KI)", ecContribution="1200000")
    newer_projects = cf.projects(**{cf.P1: {"title": "AMR network, renamed"}})
    r = run(db, *cf.write(tmp_path / "v2", newer_projects, newer_orgs, compress="zip"))
    c = r.counts
    assert (c["projects_updated"], c["projects_unchanged"]) == (1, 1)
    assert c["organisations_updated"] == 1 and c["organisations_created"] == 0
    assert c["participations_updated"] == 1 and c["participations_created"] == 0
    db.expire_all()
    assert dict(db.execute(select(Organisation.pic, Organisation.id)).all()) == ids
    assert db.get(CordisProject, cf.P1).title == "AMR network, renamed"
    ki = db.get(Organisation, ids["999000001"])
    assert ki.legal_name == "KAROLINSKA INSTITUTET (KI)"
    assert db.scalar(select(func.count()).select_from(Participation)) == 5


def test_import_keeps_our_own_labels_and_texts(app, db, tmp_path):
    files = cf.write(tmp_path)
    run(db, *files)
    pharma = db.scalar(select(Organisation).where(Organisation.pic == "999000005"))
    pharma.is_efpia_member, pharma.description = True, "We make medicines."
    lab = db.scalar(select(Organisation).where(Organisation.pic == "999000002"))
    lab.sector = "patient"
    db.commit()
    r = run(db, *files)
    assert r.counts["organisations_updated"] == 0
    db.expire_all()
    assert pharma.is_efpia_member and pharma.description == "We make medicines."
    assert lab.sector == "patient"


def test_bad_rows_are_skipped_and_reported_with_file_line_reason(app, db, tmp_path):
    rows = cf.participations()
    rows[1]["organisationID"] = ""  # line 3: missing PIC
    rows[2]["country"] = "QQ"  # line 4: unknown country
    rows[4]["ecContribution"] = "12,34,56"  # line 6: malformed number
    rows.append(org(projectID="109999999", organisationID="999000009", name="ORPHAN"))
    r = run(db, *cf.write(tmp_path, org_rows=rows))
    assert r.status == "done" and r.issue_count == 4
    issues = db.scalars(select(ImportIssue).where(ImportIssue.run_id == r.id)).all()
    found = {(Path(i.file).name, i.line): i.reason for i in issues}
    assert "PIC" in found[("organization.csv", 3)]
    assert "country" in found[("organization.csv", 4)]
    assert "ecContribution" in found[("organization.csv", 6)]
    assert "109999999" in found[("organization.csv", 8)]
    assert r.counts["participations_created"] == 2
    lines = cordis_import.report_lines(db, r)
    assert any("organization.csv:4:" in line for line in lines)


def test_broken_quoting_is_reported_and_the_rest_imported(app, db, tmp_path):
    good = to_csv(PROJECT_HEADER, cf.projects())
    header, first, second = good.rstrip("\n").split("\n", 2)
    broken = f"{header}\n{first.replace('AMR-NET', chr(34) + 'AMR-NET')}\n{second}\n"
    p = tmp_path / "project.csv"
    p.write_text(broken)
    o = tmp_path / "organization.csv"
    o.write_text(to_csv(ORG_HEADER, cf.participations()))
    r = run(db, p, o)
    assert r.status == "done"
    assert r.issue_count >= 1
    assert db.get(CordisProject, cf.P2) is not None


@pytest.mark.parametrize(
    "text",
    ["name;email\nAlice;alice@example.org\n", "%PDF-1.4 not a csv at all", ""],
)
def test_not_cordis_refused_and_nothing_written(app, db, tmp_path, text):
    projects, _ = cf.write(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(InvalidInput) as exc:
        cordis_import.create_run(db, RequestContext(None), projects, bad)
    assert "organisations" in exc.value.field_errors
    db.rollback()
    for model in (ImportRun, CordisProject, Organisation, Participation):
        assert db.scalar(select(func.count()).select_from(model)) == 0


def test_only_admins_import(app, db, tmp_path, make_user):
    files = cf.write(tmp_path)
    with pytest.raises(PermissionDenied):
        cordis_import.create_run(db, RequestContext(make_user("coordinator")), *files)


def test_cli_imports_and_prints_the_report(app, db, tmp_path):
    from webapp.cli import main

    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    p, o = cf.write(tmp_path)
    args = ["import-cordis", "--projects", str(p), "--organisations", str(o)]
    result = runner.invoke(main, args, obj=info)
    assert result.exit_code == 0, result.output
    assert "Import #" in result.output and "participations created" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n")
    args = ["import-cordis", "--projects", str(bad), "--organisations", str(o)]
    result = runner.invoke(main, args, obj=info)
    assert result.exit_code == 1
    assert "not CORDIS" in result.output or "projectID" in result.output
    assert "Nothing was imported" in result.output
    assert db.scalar(select(func.count()).select_from(ImportRun)) == 1

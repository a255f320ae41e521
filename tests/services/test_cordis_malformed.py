"""Malformed downloads as a careless exporter makes them: bad PICs and amounts are
reported with line and reason, a wrong separator or a missing column refuses the file
before anything is written, blank-line padding is skipped (file and zip)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import CordisProject, ImportIssue, ImportRun, Organisation, Participation
from services.core.context import RequestContext
from services.core.errors import InvalidInput
from services.organisations import cordis_import
from tests.services import cordis_files as cf
from tests.services import cordis_official as official
from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, to_csv


def run(db, projects: Path, organisations: Path) -> ImportRun:
    r = cordis_import.create_run(db, RequestContext(None), projects, organisations)
    cordis_import.run_import(db, r.id)
    db.commit()
    return r


def issues(db, r: ImportRun) -> dict[int, str]:
    rows = db.scalars(select(ImportIssue).where(ImportIssue.run_id == r.id)).all()
    return {i.line: i.reason for i in rows}


def nothing_written(db) -> bool:
    models = (ImportRun, CordisProject, Organisation, Participation)
    return all(db.scalar(select(func.count()).select_from(m)) == 0 for m in models)


@pytest.mark.parametrize("pic", ["ABC123DEF", "99000105X", "9.9E+08", "12345678", "1234567890"])
def test_a_pic_that_is_not_nine_digits_is_reported_and_skipped(app, db, tmp_path, pic):
    rows = cf.participations()
    rows[1]["organisationID"] = pic  # line 3
    r = run(db, *cf.write(tmp_path, org_rows=rows))
    assert r.status == "done"
    reason = issues(db, r)[3]
    assert pic in reason and "not a 9-digit number" in reason
    if "E+" in pic:
        assert "scientific notation" in reason
    assert db.scalar(select(Organisation).where(Organisation.pic == pic)) is None
    assert r.counts["participations_created"] == 4


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("ecContribution", "1e400", "not a plain finite number"),
        ("totalCost", "9" * 400, "too large"),
        ("ecContribution", "1000000000000", "too large"),
        ("totalCost", "inf", "not a plain finite number"),
    ],
)
def test_an_amount_that_does_not_fit_is_reported(app, db, tmp_path, column, value, said):
    rows = cf.participations()
    rows[0][column] = value  # line 2
    r = run(db, *cf.write(tmp_path, org_rows=rows))
    assert r.status == "done"
    reason = issues(db, r)[2]
    assert column in reason and said in reason and len(reason) < 200


def test_a_project_amount_that_does_not_fit_is_reported(app, db, tmp_path):
    projects = cf.projects(**{cf.P2: {"ecMaxContribution": "1" * 400}})
    r = run(db, *cf.write(tmp_path, project_rows=projects))
    assert "ecMaxContribution" in issues(db, r)[3]
    assert db.get(CordisProject, cf.P2) is None and db.get(CordisProject, cf.P1) is not None


def test_more_than_two_decimals_are_rounded_to_the_cent(app, db, tmp_path):
    rows = cf.participations()
    rows[0]["ecContribution"] = "0.4450000001"
    run(db, *cf.write(tmp_path, org_rows=rows))
    amounts = db.scalars(select(Participation.eu_contribution)).all()
    assert any(a is not None and str(a) in ("0.45", "0.4500000000") for a in amounts)


@pytest.mark.parametrize(("delimiter", "named"), [(",", "',' (comma)"), ("\t", "a tab")])
def test_a_file_not_separated_by_semicolons_is_refused_naming_the_separator(
    app, db, tmp_path, delimiter, named
):
    p, _ = cf.write(tmp_path)
    o = tmp_path / "organization-comma.csv"
    o.write_text(to_csv(ORG_HEADER, cf.participations(), delimiter=delimiter))
    with pytest.raises(InvalidInput) as exc:
        cordis_import.create_run(db, RequestContext(None), p, o)
    assert f"separated by {named}, not ';'" in exc.value.message
    db.rollback()
    assert nothing_written(db)


def test_a_missing_required_column_is_refused_naming_it(app, db, tmp_path):
    header = [c for c in PROJECT_HEADER if c != "title"]
    p = tmp_path / "project.csv"
    p.write_text(to_csv(header, cf.projects()))
    _, o = cf.write(tmp_path / "o")
    with pytest.raises(InvalidInput, match="missing columns title"):
        cordis_import.create_run(db, RequestContext(None), p, o)
    header = [c for c in official.HE_PROJECT if c != "id"]
    p.write_text(to_csv(header, official.members("he")["project.csv"][1]))
    with pytest.raises(InvalidInput, match=r"missing columns projectID \(or id\)"):
        cordis_import.create_run(db, RequestContext(None), p, o)
    db.rollback()
    assert nothing_written(db)


@pytest.mark.parametrize("compress", ["gz", "zip"])
def test_blank_line_padding_is_skipped_and_lines_stay_true(app, db, tmp_path, compress):
    """A small archive inflating to many blank lines around a few rows (the benchmark
    bench/cordis_blank_lines.py does 25 million)."""
    text = to_csv(ORG_HEADER, cf.participations())
    head, *rows = text.rstrip("\n").split("\n")
    pad = "\n" * 300_000
    rows[1] = rows[1].replace("999000002", "ABC123DEF")
    data = (head + "\n" + pad + (pad).join(r + "\n" for r in rows) + pad).encode()
    p, _ = cf.write(tmp_path)
    o = tmp_path / "organization.csv.gz"
    if compress == "gz":
        o.write_bytes(gzip.compress(data, compresslevel=1))
    else:
        o = tmp_path / "cordis.zip"
        with zipfile.ZipFile(o, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("organization.csv", data)
    r = run(db, p, o)
    assert r.status == "done" and r.counts["participations_created"] == 4
    assert issues(db, r) == {3 + 2 * 300_000: "PIC 'ABC123DEF' is not a 9-digit number"}

"""Reading valid CORDIS slices: plain, gzip, zip, BOM, odd columns; other separators refused."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.organisations.cordis import (
    NotCordisFile,
    ParticipationRow,
    ProjectRow,
    ReadProgress,
    RowError,
    read_participations,
    read_projects,
)
from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, project, to_csv

WriteText = Callable[..., Path]


@pytest.mark.parametrize("compress", ["", "gz", "zip"])
def test_reads_projects_in_every_container(write_text: WriteText, compress: str) -> None:
    text = to_csv(PROJECT_HEADER, [project(), project(projectID="101000001", acronym="B")])
    rows = list(read_projects(write_text(text, compress)))
    assert [type(r) for r in rows] == [ProjectRow, ProjectRow]
    first = rows[0]
    assert isinstance(first, ProjectRow)
    assert first.line == 2 and first.project_id == "101069359"
    assert first.start_date == date(2022, 9, 1) and first.end_date == date(2025, 8, 31)
    assert first.total_cost == Decimal("2073781.25") and first.eu_contribution is not None
    assert first.call == "HORIZON-CL5-2021-D2-01"
    assert first.topic == "HORIZON-CL5-2021-D2-01-11"
    assert first.funding_scheme == "HORIZON-RIA"
    assert first.keywords == ["zero-carbon", "solar energy"]
    assert first.euroscivoc == ["electrochemistry", "solar thermal"]
    assert rows[1].line == 3


@pytest.mark.parametrize("compress", ["", "gz", "zip"])
def test_reads_participations(write_text: WriteText, compress: str) -> None:
    text = to_csv(
        ORG_HEADER,
        [
            org(),
            org(country="EL", SME="false", activityType="HES", role="coordinator", order="1"),
            org(country="UK", role="associatedPartner", ecContribution="", terminated="TRUE"),
        ],
    )
    rows = list(read_participations(write_text(text, compress, member="organization.csv")))
    assert all(isinstance(r, ParticipationRow) for r in rows)
    a, b, c = rows
    assert isinstance(a, ParticipationRow)
    assert (a.pic, a.is_sme, a.activity_type, a.country, a.role) == (
        "912743326", True, "PRC", "ES", "participant",
    )  # fmt: skip
    assert a.order == 2 and a.eu_contribution == Decimal(299250) and not a.terminated
    assert isinstance(b, ParticipationRow) and isinstance(c, ParticipationRow)
    assert (b.country, b.is_sme, b.role, b.order) == ("GR", False, "coordinator", 1)
    assert c.country == "GB" and c.eu_contribution is None and c.terminated
    assert c.net_eu_contribution == Decimal(299250) and c.line == 4


def test_embedded_newlines_and_doubled_quotes(write_text: WriteText) -> None:
    title = 'The "best" project; really'
    objective = 'Line one;\nline "two"\n\nline four'
    text = to_csv(
        PROJECT_HEADER,
        [project(title=title, objective=objective), project(projectID="2", objective="x")],
    )
    assert '""best""' in text
    rows = list(read_projects(write_text(text)))
    first, second = rows
    assert isinstance(first, ProjectRow) and isinstance(second, ProjectRow)
    assert first.title == title and first.objective == objective
    assert second.line == 2 + 4  # the first record spans physical lines 2-5


def test_crlf_line_ends(write_text: WriteText) -> None:
    text = to_csv(PROJECT_HEADER, [project(objective="a\nb"), project(projectID="7")])
    rows = list(read_projects(write_text(text.replace("\n", "\r\n"))))
    assert [r.line for r in rows] == [2, 4]
    assert all(isinstance(r, ProjectRow) for r in rows)


def test_reordered_extra_and_case_insensitive_columns(write_text: WriteText) -> None:
    header = ["Extra", "ROLE", "country", "organisationid", "name", "ActivityType", "PROJECTID"]
    text = to_csv(
        header,
        [{"Extra": "x", "ROLE": "Coordinator", "country": "de", "organisationid": "999000999",
          "name": "Uni", "ActivityType": "hes", "PROJECTID": "42"}],
    )  # fmt: skip
    (row,) = list(read_participations(write_text(text)))
    assert isinstance(row, ParticipationRow)
    assert (row.project_id, row.pic, row.role, row.country, row.activity_type) == (
        "42", "999000999", "coordinator", "DE", "HES",
    )  # fmt: skip
    assert row.total_cost is None and row.order is None and row.is_sme is False


def test_optional_project_columns_may_be_missing(write_text: WriteText) -> None:
    (row,) = list(read_projects(write_text("projectID;title\n1;Only a title\n")))
    assert isinstance(row, ProjectRow)
    assert row.title == "Only a title" and row.keywords == [] and row.start_date is None


def test_bom_and_comma_decimals(write_text: WriteText) -> None:
    records = [project(totalCost="1234,5", keywords="a; b, a")]
    (row,) = list(read_projects(write_text(to_csv(PROJECT_HEADER, records), bom=True)))
    assert isinstance(row, ProjectRow)
    assert row.total_cost == Decimal("1234.5") and row.keywords == ["a", "b"]


@pytest.mark.parametrize(("delimiter", "named"), [(",", "',' (comma)"), ("\t", "a tab")])
def test_a_header_not_separated_by_semicolons_is_refused(
    write_text: WriteText, delimiter: str, named: str
) -> None:
    text = to_csv(PROJECT_HEADER, [project()], delimiter=delimiter)
    with pytest.raises(NotCordisFile, match=re.escape(f"separated by {named}, not ';'")):
        read_projects(write_text(text))


def test_blank_lines_are_skipped(write_text: WriteText) -> None:
    text = to_csv(PROJECT_HEADER, [project(), project(projectID="9")])
    lines = text.splitlines(keepends=True)
    rows = list(read_projects(write_text(lines[0] + lines[1] + "\n" + lines[2] + "\n\n")))
    assert [(type(r), r.line) for r in rows] == [(ProjectRow, 2), (ProjectRow, 4)]


def test_zip_picks_the_matching_member(tmp_path: Path) -> None:
    path = tmp_path / "cordis-HORIZONprojects-csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("csv/euroSciVoc.csv", "projectID;euroSciVocTitle\n1;x\n")
        archive.writestr("csv/projectPublications.csv", "projectID;title;doi\n1;A paper;d\n")
        archive.writestr("csv/Project.CSV", to_csv(PROJECT_HEADER, [project()]))
        archive.writestr("csv/organization.csv", to_csv(ORG_HEADER, [org(), org()]))
    with read_projects(path) as projects:
        assert projects.file.endswith("csv/Project.CSV")
        assert [type(r) for r in projects] == [ProjectRow]
    assert [type(r) for r in read_participations(path)] == [ParticipationRow] * 2


@pytest.mark.parametrize("compress", ["", "gz", "zip"])
def test_progress(write_text: WriteText, compress: str) -> None:
    records = [project(projectID=str(i)) for i in range(3000)]
    path = write_text(to_csv(PROJECT_HEADER, records), compress)
    seen: list[ReadProgress] = []
    reader = read_projects(path, on_progress=seen.append)
    assert reader.progress().bytes_read <= reader.progress().total_bytes
    rows = list(reader)
    assert len(rows) == 3000 and not any(isinstance(r, RowError) for r in rows)
    assert [p.records for p in seen] == [1000, 2000, 3000, 3000]
    assert [p.bytes_read for p in seen] == sorted(p.bytes_read for p in seen)
    assert seen[-1].fraction == pytest.approx(1.0)
    assert reader.progress().fraction == pytest.approx(1.0)


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_blank_runs_keep_quoted_empty_lines_and_line_numbers(
    write_text: WriteText, end: str
) -> None:
    objective = "first" + end + end + "\r" + end + "last"
    head = ";".join(PROJECT_HEADER)
    one = to_csv(PROJECT_HEADER, [project(objective=objective)]).split("\n", 1)[1]
    two = to_csv(PROJECT_HEADER, [project(projectID="9")]).split("\n", 1)[1]
    data = head + end * 9001 + one.rstrip("\n") + end * 6 + two.rstrip("\n") + end * 3
    rows = list(read_projects(write_text(data)))
    assert [(type(r), r.line) for r in rows] == [(ProjectRow, 9002), (ProjectRow, 9011)]
    assert rows[0].objective == objective

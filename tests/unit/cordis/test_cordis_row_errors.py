"""Bad records come back as RowError with the line where the record starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.organisations.cordis import (
    ParticipationRow,
    ProjectRow,
    RowError,
    read_participations,
    read_projects,
)
from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, project, to_csv

WriteText = Callable[..., Path]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"organisationID": ""}, "missing PIC"),
        ({"projectID": " "}, "missing project id"),
        ({"country": "XH"}, "unknown country 'XH'"),
        ({"ecContribution": "12.3.4"}, "ecContribution: malformed amount '12.3.4'"),
        ({"totalCost": "1e5"}, "totalCost: malformed amount"),
        ({"role": "leader"}, "unknown role 'leader'"),
        ({"role": ""}, "unknown role ''"),
        ({"activityType": "ABC"}, "unknown activityType 'ABC'"),
        ({"SME": "maybe"}, "SME: malformed boolean"),
        ({"order": "first"}, "order: malformed integer"),
    ],
)
def test_participation_errors(write_text: WriteText, bad: dict[str, str], reason: str) -> None:
    # the first record spans lines 2-3, so the bad record starts on line 4
    text = to_csv(ORG_HEADER, [org(name="Two\nlines"), org(**bad), org(order="3")])
    path = write_text(text)
    rows = list(read_participations(path))
    assert [type(r) for r in rows] == [ParticipationRow, RowError, ParticipationRow]
    error = rows[1]
    assert isinstance(error, RowError)
    assert error.line == 4 and error.file == str(path)
    assert reason in error.reason
    assert rows[2].line == 5


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"startDate": "2022-02-30"}, "startDate: malformed date '2022-02-30'"),
        ({"endDate": "31/12/2025"}, "endDate: malformed date"),
        ({"ecMaxContribution": "lots"}, "ecMaxContribution: malformed amount 'lots'"),
        ({"projectID": ""}, "missing project id"),
    ],
)
def test_project_errors(write_text: WriteText, bad: dict[str, str], reason: str) -> None:
    text = to_csv(PROJECT_HEADER, [project(), project(**bad), project()])
    rows = list(read_projects(write_text(text)))
    assert [type(r) for r in rows] == [ProjectRow, RowError, ProjectRow]
    assert rows[1].line == 3 and reason in rows[1].reason  # type: ignore[union-attr]


def test_empty_country_is_none_not_an_error(write_text: WriteText) -> None:
    (row,) = list(read_participations(write_text(to_csv(ORG_HEADER, [org(country="")]))))
    assert isinstance(row, ParticipationRow) and row.country is None


def test_wrong_field_count(write_text: WriteText) -> None:
    lines = to_csv(PROJECT_HEADER, [project(), project()]).splitlines(keepends=True)
    text = lines[0] + lines[1] + "1;too;few\n" + lines[1].replace("\n", ";extra\n") + lines[2]
    rows = list(read_projects(write_text(text)))
    assert [(type(r).__name__, r.line) for r in rows] == [
        ("ProjectRow", 2), ("RowError", 3), ("RowError", 4), ("ProjectRow", 5),
    ]  # fmt: skip
    assert "wrong field count: 3, expected 18" in rows[1].reason  # type: ignore[union-attr]
    assert "wrong field count: 19" in rows[2].reason  # type: ignore[union-attr]


def test_invalid_utf8_line(tmp_path: Path) -> None:
    lines = to_csv(PROJECT_HEADER, [project(), project()]).encode().splitlines(keepends=True)
    bad = lines[1].replace(b"SolDAC", b"Sol\xff\xfeDAC")
    path = tmp_path / "p.csv"
    path.write_bytes(lines[0] + lines[1] + bad + lines[2])
    rows = list(read_projects(path))
    assert [type(r) for r in rows] == [ProjectRow, RowError, ProjectRow]
    assert rows[1].line == 3 and "invalid UTF-8" in rows[1].reason  # type: ignore[union-attr]

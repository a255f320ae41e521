"""An unclosed quote costs one RowError, never the rest of the file."""

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


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


@pytest.mark.parametrize("compress", ["", "gz", "zip"])
def test_unclosed_quote_in_projects(write_text: WriteText, compress: str) -> None:
    # every project row has a quoted euroSciVoc field, so a stray quote would pair with it
    records = [project(projectID=str(100 + i), objective="a\nb" if i == 5 else "x")
               for i in range(1000)]  # fmt: skip
    lines = _lines(to_csv(PROJECT_HEADER, records))
    lines[3] = lines[3].replace(";SolDAC;", ';"SolDAC;')
    rows = list(read_projects(write_text("".join(lines), compress)))
    errors = [r for r in rows if isinstance(r, RowError)]
    assert len(errors) == 1 and errors[0].line == 4
    assert "quote" in errors[0].reason
    projects = [r for r in rows if isinstance(r, ProjectRow)]
    assert len(projects) == 999
    assert projects[2].line == 5 and projects[2].project_id == "103"
    multi = next(p for p in projects if p.project_id == "105")
    assert multi.objective == "a\nb" and multi.line == 7


def test_unclosed_quote_with_no_quote_after_it(write_text: WriteText) -> None:
    lines = _lines(to_csv(ORG_HEADER, [org(order=str(i)) for i in range(5000)]))
    lines[10] = lines[10].replace(";LOMARTOV SL;", ';"LOMARTOV SL;')
    rows = list(read_participations(write_text("".join(lines))))
    errors = [r for r in rows if isinstance(r, RowError)]
    assert [(e.line, "unclosed quote" in e.reason) for e in errors] == [(11, True)]
    assert sum(isinstance(r, ParticipationRow) for r in rows) == 4999


def test_unclosed_quote_in_last_record(write_text: WriteText) -> None:
    lines = _lines(to_csv(ORG_HEADER, [org(), org(), org()]))
    lines[3] = lines[3].replace(";false\n", ';"false\n')
    rows = list(read_participations(write_text("".join(lines))))
    assert [type(r) for r in rows] == [ParticipationRow, ParticipationRow, RowError]
    assert rows[2].line == 4 and "end of file" in rows[2].reason  # type: ignore[union-attr]


def test_runaway_record_is_capped(write_text: WriteText) -> None:
    # lines after the stray quote are prose, not records: only the size cap can stop it
    lines = _lines(to_csv(ORG_HEADER, [org(), org(), org()]))
    prose = [f"free text line {i} without delimiters\n" for i in range(200)]
    lines[1] = lines[1].replace(";BURJASSOT;", ';"BURJASSOT;')
    text = "".join(lines[:2] + prose + lines[2:])
    rows = list(read_participations(write_text(text), max_record_chars=1000))
    good = [r for r in rows if isinstance(r, ParticipationRow)]
    assert [r.line for r in good] == [203, 204]
    errors = [r for r in rows if isinstance(r, RowError)]
    assert errors[0].line == 2 and "longer than 1000 characters" in errors[0].reason
    assert all("wrong field count" in e.reason for e in errors[1:])


def test_quoted_newlines_with_delimiters_are_not_mistaken(write_text: WriteText) -> None:
    objective = "Aims;\n1;2;3 are steps;\n" + "x;" * 5 + "\nend"
    text = to_csv(PROJECT_HEADER, [project(objective=objective), project(projectID="2")])
    rows = list(read_projects(write_text(text)))
    assert [type(r) for r in rows] == [ProjectRow, ProjectRow]
    assert rows[0].objective == objective  # type: ignore[union-attr]


def test_closing_line_of_a_field_that_looks_like_a_record(write_text: WriteText) -> None:
    # found by Hypothesis: the name's second line plus the rest is a full record by itself
    header = [
        "projectAcronym",
        "name",
        *[c for c in ORG_HEADER if c not in ("name", "projectAcronym")],
    ]
    text = to_csv(header, [org(name="\n;0"), org()])
    rows = list(read_participations(write_text(text)))
    assert [type(r) for r in rows] == [ParticipationRow, ParticipationRow]
    assert rows[0].name == ";0"  # type: ignore[union-attr]

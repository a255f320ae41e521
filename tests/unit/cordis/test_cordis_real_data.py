"""The real CORDIS Horizon Europe files, read fully (skipped when absent)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.organisations.cordis import (
    ParticipationRow,
    ProjectRow,
    RowError,
    read_participations,
    read_projects,
)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "cordis-he"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/cordis-he")
PROJECTS = DATA / "project.csv.gz"
ORGANISATIONS = DATA / "organization.csv.gz"


@pytest.mark.skipif(not PROJECTS.exists(), reason=f"real CORDIS data absent: {PROJECTS}")
def test_real_projects_all_accounted_for(capsys: pytest.CaptureFixture[str]) -> None:
    kinds = Counter(type(row) for row in read_projects(PROJECTS))
    assert kinds[ProjectRow] + kinds[RowError] == 19_148
    assert kinds[RowError] <= 5
    assert capsys.readouterr() == ("", "")


@pytest.mark.skipif(not ORGANISATIONS.exists(), reason=f"real CORDIS data absent: {ORGANISATIONS}")
def test_real_participations_all_accounted_for(capsys: pytest.CaptureFixture[str]) -> None:
    rows = Counter()
    errors: list[RowError] = []
    for row in read_participations(ORGANISATIONS):
        if isinstance(row, RowError):
            errors.append(row)
        else:
            assert isinstance(row, ParticipationRow)
            rows[row.role] += 1
    assert sum(rows.values()) + len(errors) == 117_883
    assert len(errors) <= 5, errors
    assert rows["coordinator"] >= 19_000
    assert capsys.readouterr() == ("", "")

"""Files that are not CORDIS data are refused before any row is yielded."""

from __future__ import annotations

import gzip
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from services.organisations.cordis import (
    CordisFileError,
    NotCordisFile,
    ProjectRow,
    read_participations,
    read_projects,
)
from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, project, to_csv, write_bytes

WriteText = Callable[..., Path]
HTML = "<!DOCTYPE html>\n<html><head><title>CORDIS</title></head><body>Moved</body></html>\n"


@pytest.mark.parametrize("compress", ["", "gz", "zip"])
@pytest.mark.parametrize("reader", [read_projects, read_participations])
def test_html_page(write_text: WriteText, compress: str, reader: Callable[..., object]) -> None:
    path = write_text(HTML, compress)
    with pytest.raises(NotCordisFile, match="projectID") as info:
        reader(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("compress", ["", "gz"])
def test_empty_file(write_text: WriteText, compress: str) -> None:
    path = write_text("", compress)
    with pytest.raises(NotCordisFile, match="empty") as info:
        read_projects(path)
    assert str(path) in str(info.value)


def test_empty_zip(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    zipfile.ZipFile(path, "w").close()
    with pytest.raises(NotCordisFile, match="no CSV file in this zip"):
        read_participations(path)


@pytest.mark.parametrize("compress", ["", "gz"])
def test_binary_junk(tmp_path: Path, compress: str) -> None:
    junk = random.Random(7).randbytes(5000)
    path = write_bytes(tmp_path / "junk.bin", junk, compress)
    with pytest.raises(NotCordisFile):
        read_projects(path)


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(200)))
    with pytest.raises(NotCordisFile, match=r"bad\.csv\.gz"):
        read_projects(path)


def test_wrong_headers_name_missing_columns(write_text: WriteText) -> None:
    organisations = write_text(to_csv(ORG_HEADER, [org()]))
    with pytest.raises(NotCordisFile, match="missing columns title") as info:
        read_projects(organisations)
    assert str(organisations) in str(info.value)
    projects = write_text(to_csv(PROJECT_HEADER, [project()]))
    message = "missing columns organisationID, name, activityType, country, role"
    with pytest.raises(NotCordisFile, match=message):
        read_participations(projects)


def test_header_only_file_yields_nothing(write_text: WriteText) -> None:
    assert list(read_projects(write_text(";".join(PROJECT_HEADER) + "\n"))) == []


def test_refused_before_iteration_and_file_closed(tmp_path: Path) -> None:
    path = tmp_path / "page.csv.gz"
    path.write_bytes(gzip.compress(HTML.encode()))
    with pytest.raises(NotCordisFile):
        read_projects(path)  # raised at call time: nothing can have been yielded
    path.unlink()  # the handle was closed (would fail on some platforms otherwise)


def test_missing_file_is_not_hidden(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_projects(tmp_path / "nope.csv")


def test_truncated_gzip_mid_file_raises_cordis_file_error(tmp_path: Path) -> None:
    text = to_csv(PROJECT_HEADER, [project(projectID=str(i)) for i in range(3000)])
    data = gzip.compress(text.encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    reader = read_projects(path)  # the header is readable
    rows: list[object] = []
    with pytest.raises(CordisFileError, match="corrupt or truncated after line"):
        rows.extend(reader)
    assert rows and all(isinstance(r, ProjectRow) for r in rows)


def test_context_manager_closes_early(write_text: WriteText) -> None:
    path = write_text(to_csv(PROJECT_HEADER, [project(), project()]))
    with read_projects(path) as rows:
        first = next(rows)
    assert first.line == 2
    with pytest.raises(ValueError, match="closed"):
        next(rows)

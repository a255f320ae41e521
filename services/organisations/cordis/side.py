"""The side files of an official CORDIS download, joined to its projects by project id.

The bulk downloads keep out of project.csv what the files of data/cordis-he carry inline:
topic titles (topics.csv: projectID;topic;title), EuroSciVoc fields of science
(euroSciVoc.csv: projectID;euroSciVocCode;euroSciVocPath;euroSciVocTitle;...) and every
programme part a project is funded from (legalBasis.csv:
projectID;legalBasis;title;uniqueProgrammePart). They are looked for beside project.csv:
members of the same zip, or files of the same folder (plain or .gz). A side file that is
absent or does not have its columns is left out: the projects import without it.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.organisations.cordis.fields import split_list

SIDE_FILES = ("topics", "euroSciVoc", "legalBasis")
_MAX_FIELD = 1_000_000


@dataclass
class SideData:
    """What the side files add: topic code -> title, project id -> lists."""

    topic_titles: dict[str, str] = field(default_factory=dict)
    euroscivoc: dict[str, list[str]] = field(default_factory=dict)
    legal_bases: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the side files found

    def __bool__(self) -> bool:
        return bool(self.files)


def _rows(stream: io.BufferedIOBase) -> Iterator[dict[str, str]]:
    # typeshed's TextIOWrapper wants its own buffer protocol, which a GzipFile or a zip
    # member (both BufferedIOBase) meets at run time but not by declaration.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")  # type: ignore[type-var]
    csv.field_size_limit(_MAX_FIELD)
    reader = csv.reader(text, delimiter=";")
    header = [h.strip() for h in next(reader, [])]
    for record in reader:
        if len(record) == len(header):
            yield {h: v.strip() for h, v in zip(header, record, strict=True)}


def _open_members(path: Path) -> Iterator[tuple[str, io.BufferedIOBase]]:
    """(side file stem, open binary stream) for each side file found beside `path`."""
    wanted = {name.lower(): name for name in SIDE_FILES}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                stem = Path(info.filename).name.lower().removesuffix(".csv")
                if stem in wanted and info.filename.lower().endswith(".csv"):
                    with archive.open(info) as member:
                        yield wanted[stem], member  # type: ignore[misc]
        return
    for name in SIDE_FILES:
        for candidate in (path.parent / f"{name}.csv", path.parent / f"{name}.csv.gz"):
            if candidate.is_file():
                opener = gzip.open if candidate.suffix == ".gz" else open
                with opener(candidate, "rb") as stream:
                    yield name, stream
                break


def load_side_data(projects: str | os.PathLike[str]) -> SideData:
    """Read the side files beside a projects file (or in its zip); empty if there are none."""
    side = SideData()
    try:
        for name, stream in _open_members(Path(projects)):
            if _join(side, name, _rows(stream)):
                side.files.append(name)
    except (OSError, EOFError, zipfile.BadZipFile, csv.Error, UnicodeError):
        return SideData()  # an unreadable side file: the projects import without them
    return side


def _join(side: SideData, name: str, rows: Iterator[dict[str, str]]) -> bool:
    first = next(rows, None)
    if first is None or "projectID" not in first:
        return False
    for row in _chain(first, rows):
        project = row["projectID"]
        if name == "topics" and row.get("topic") and row.get("title"):
            side.topic_titles.setdefault(row["topic"], row["title"])
        elif name == "euroSciVoc" and row.get("euroSciVocTitle"):
            side.euroscivoc.setdefault(project, []).append(row["euroSciVocTitle"])
        elif name == "legalBasis" and row.get("legalBasis"):
            codes = side.legal_bases.setdefault(project, [])
            for code in split_list(row["legalBasis"], ";"):
                main = row.get("uniqueProgrammePart", "").lower() == "true"
                if code not in codes:
                    codes.insert(0 if main else len(codes), code)
    return True


def _chain(first: dict[str, str], rest: Iterator[dict[str, str]]) -> Iterator[dict[str, str]]:
    yield first
    yield from rest

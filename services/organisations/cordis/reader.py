"""Streaming readers for CORDIS open-data files: projects and participations.

Pure Python (no database, no Flask). Two layouts are read by column name: the official
bulk downloads (cordis-HORIZONprojects-csv.zip, cordis-h2020projects-csv.zip,
cordis-fp7projects-csv.zip: project.csv keyed by ``id``) and the files of data/cordis-he
(keyed by ``projectID``). A reader opens a `.csv`, `.csv.gz` or `.zip` file,
checks the header at once (raising NotCordisFile if the file is not CORDIS data), then
yields one typed row per record, or a RowError for a record it cannot read::

    with read_projects("project.csv.gz") as rows:
        for row in rows:
            if isinstance(row, RowError): ...
            print(rows.progress().fraction)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, TypeVar

from models.countries import normalise_country
from services.organisations.cordis.fields import (
    FieldError,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    split_list,
)
from services.organisations.cordis.records import RecordSplitter
from services.organisations.cordis.rows import (
    OTHER_PARTICIPANT_ROLES,
    ParticipationRow,
    ProjectRow,
    RowError,
)
from services.organisations.cordis.side import SideData
from services.organisations.cordis.source import FileKind, Source, open_source

RowT = TypeVar("RowT", ProjectRow, ParticipationRow)
T = TypeVar("T")

DEFAULT_MAX_RECORD_CHARS = 200_000
ROLES = {r.lower(): r for r in ("coordinator", "participant", "associatedPartner", "thirdParty")}
# Roles of older downloads that are ordinary participations here.
ROLES.update({r.lower(): "participant" for r in OTHER_PARTICIPANT_ROLES})
ACTIVITY_TYPES = frozenset({"HES", "REC", "PRC", "PUB", "OTH", ""})
PIC = re.compile(r"\d{9}")

# Columns by the name this reader uses, with the other names they go by: data/cordis-he
# says projectID, topic and terminated; the official bulk downloads id, topics and
# endOfParticipation.
PROJECT_ALIASES: dict[str, tuple[str, ...]] = {"projectID": ("id",), "topic": ("topics",)}
PARTICIPATION_ALIASES: dict[str, tuple[str, ...]] = {"terminated": ("endOfParticipation",)}
PROJECTS = FileKind(
    label="projects",
    required=(("projectID", "id"), ("title",)),
    known=(
        "projectID", "id", "acronym", "title", "status", "startDate", "endDate", "totalCost",
        "ecMaxContribution", "masterCall", "subCall", "topic", "topics", "topicTitle",
        "legalBasis", "frameworkProgramme", "fundingScheme", "keywords", "euroSciVoc",
        "objective", "rcn", "ecSignatureDate", "nature", "grantDoi", "contentUpdateDate",
    ),
    member_names=("project", "projects"),
)  # fmt: skip
PARTICIPATIONS = FileKind(
    label="participations (organization)",
    required=tuple(
        (c,) for c in ("projectID", "organisationID", "name", "activityType", "country", "role")
    ),
    known=(
        "projectID", "projectAcronym", "organisationID", "name", "shortName", "SME",
        "activityType", "country", "city", "role", "order", "ecContribution",
        "netEcContribution", "totalCost", "terminated", "endOfParticipation", "active",
        "vatNumber", "nutsCode", "geolocation", "street", "postCode", "organizationURL",
    ),
    member_names=("organization", "organisation", "organizations", "organisations"),
)  # fmt: skip


@dataclass(frozen=True)
class ReadProgress:
    """How far a reader is: bytes consumed of the total, and records seen so far."""

    bytes_read: int
    total_bytes: int
    records: int

    @property
    def fraction(self) -> float:
        """Share of the file consumed, 0.0 to 1.0."""
        return min(1.0, self.bytes_read / self.total_bytes) if self.total_bytes else 1.0


class _Fields:
    """Access a record's fields by column name, case-insensitively."""

    def __init__(self, columns: list[str], aliases: dict[str, tuple[str, ...]]) -> None:
        self.index: dict[str, int] = {}
        for i, name in enumerate(columns):
            self.index.setdefault(name.strip().lower(), i)
        for name, others in aliases.items():
            found = [self.index[o.lower()] for o in others if o.lower() in self.index]
            if name.lower() not in self.index and found:
                self.index[name.lower()] = found[0]

    def getter(self, fields: list[str]) -> Callable[[str], str]:
        index = self.index

        def get(column: str) -> str:
            i = index.get(column.lower())
            return fields[i].strip() if i is not None else ""

        return get


def _field(column: str, parse: Callable[[str], T], value: str) -> T:
    try:
        return parse(value)
    except FieldError as exc:
        raise FieldError(f"{column}: {exc}") from None


def _project_builder(side: SideData) -> Callable[[Callable[[str], str], int], ProjectRow]:
    """Build ProjectRows, taking what project.csv lacks from the download's side files."""

    def build(get: Callable[[str], str], line: int) -> ProjectRow:
        project_id = get("projectID")
        if not project_id:
            raise FieldError("missing project id")
        topic = get("topic")
        legal = split_list(get("legalBasis"), ";")
        legal += [c for c in side.legal_bases.get(project_id, ()) if c not in legal]
        return ProjectRow(
            line=line,
            project_id=project_id,
            acronym=get("acronym"),
            title=get("title"),
            status=get("status"),
            start_date=_field("startDate", parse_date, get("startDate")),
            end_date=_field("endDate", parse_date, get("endDate")),
            total_cost=_field("totalCost", parse_money, get("totalCost")),
            eu_contribution=_field("ecMaxContribution", parse_money, get("ecMaxContribution")),
            call=get("masterCall") or get("subCall"),
            topic=topic,
            topic_title=get("topicTitle") or side.topic_titles.get(topic, ""),
            funding_scheme=get("fundingScheme"),
            keywords=split_list(get("keywords"), ",;"),
            euroscivoc=split_list(get("euroSciVoc"), ";") or side.euroscivoc.get(project_id, []),
            objective=get("objective"),
            legal_basis=legal,
            framework=get("frameworkProgramme"),
        )

    return build


def _participation(get: Callable[[str], str], line: int) -> ParticipationRow:
    project_id = get("projectID")
    if not project_id:
        raise FieldError("missing project id")
    pic = get("organisationID")
    if not pic:
        raise FieldError("missing PIC (organisationID)")
    if not PIC.fullmatch(pic):
        hint = " (a number Excel wrote in scientific notation?)" if "E+" in pic.upper() else ""
        raise FieldError(f"PIC {pic[:30]!r} is not a 9-digit number{hint}")
    raw_country = get("country")
    country = normalise_country(raw_country) if raw_country else None
    if raw_country and country is None:
        raise FieldError(f"unknown country {raw_country!r}")
    role = ROLES.get(get("role").lower())
    if role is None:
        raise FieldError(f"unknown role {get('role')!r}")
    activity_type = get("activityType").upper()
    if activity_type not in ACTIVITY_TYPES:
        raise FieldError(f"unknown activityType {get('activityType')!r}")
    return ParticipationRow(
        line=line,
        project_id=project_id,
        pic=pic,
        name=get("name"),
        short_name=get("shortName"),
        is_sme=_field("SME", parse_bool, get("SME")),
        activity_type=activity_type,
        country=country,
        city=get("city"),
        role=role,
        order=_field("order", parse_int, get("order")),
        eu_contribution=_field("ecContribution", parse_money, get("ecContribution")),
        net_eu_contribution=_field("netEcContribution", parse_money, get("netEcContribution")),
        total_cost=_field("totalCost", parse_money, get("totalCost")),
        terminated=_field("terminated", parse_bool, get("terminated")),
    )


class CordisReader(Generic[RowT]):
    """An open CORDIS file: iterate for rows and RowErrors; `progress()` for a progress bar.

    The file is opened and its header checked when the reader is created. It closes itself
    when exhausted; use it as a context manager to close it early.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        kind: FileKind,
        build: Callable[[Callable[[str], str], int], RowT],
        *,
        aliases: dict[str, tuple[str, ...]] | None = None,
        on_progress: Callable[[ReadProgress], None] | None = None,
        progress_every: int = 1000,
        max_record_chars: int = DEFAULT_MAX_RECORD_CHARS,
    ) -> None:
        self._source: Source = open_source(path, kind, max_line_bytes=4 * max_record_chars)
        self.file = self._source.name
        self.columns = list(self._source.header.columns)
        self.delimiter = self._source.header.delimiter
        self._records = 0
        self._closed = False
        self._on_progress = on_progress
        self._every = max(1, progress_every)
        fields = _Fields(self.columns, aliases or {})
        splitter = RecordSplitter(
            self.delimiter, len(self.columns), fields.index["projectid"], max_record_chars
        )
        self._rows: Iterator[RowT | RowError] = self._generate(splitter, fields, build)

    def _generate(
        self,
        splitter: RecordSplitter,
        fields: _Fields,
        build: Callable[[Callable[[str], str], int], RowT],
    ) -> Iterator[RowT | RowError]:
        for line, record in splitter.split(self._source.lines()):
            self._records += 1
            if self._on_progress and self._records % self._every == 0:
                self._on_progress(self.progress())
            if isinstance(record, str):
                yield RowError(self.file, line, record)
                continue
            try:
                yield build(fields.getter(record), line)
            except FieldError as exc:
                yield RowError(self.file, line, str(exc))
        if self._on_progress:
            self._on_progress(self.progress())

    def progress(self) -> ReadProgress:
        """Bytes read of the file's total (compressed for gzip), and records so far."""
        return ReadProgress(self._source.bytes_read(), self._source.total_bytes, self._records)

    def __iter__(self) -> CordisReader[RowT]:
        return self

    def __next__(self) -> RowT | RowError:
        if self._closed:
            raise ValueError("I/O operation on a closed CORDIS reader")
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the underlying file(s)."""
        self._closed = True
        self._source.close()

    def __enter__(self) -> CordisReader[RowT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_projects(
    path: str | os.PathLike[str],
    *,
    side: SideData | None = None,
    on_progress: Callable[[ReadProgress], None] | None = None,
    max_record_chars: int = DEFAULT_MAX_RECORD_CHARS,
) -> CordisReader[ProjectRow]:
    """Open a CORDIS projects file; iterate it for ProjectRow and RowError items.

    Raises NotCordisFile at once if the file lacks the projectID (or id) and title
    columns. ``side`` holds what the download's side files add (topic titles, EuroSciVoc,
    every legal basis); see :func:`services.organisations.cordis.side.load_side_data`.
    """
    return CordisReader(
        path,
        PROJECTS,
        _project_builder(side or SideData()),
        aliases=PROJECT_ALIASES,
        on_progress=on_progress,
        max_record_chars=max_record_chars,
    )


def read_participations(
    path: str | os.PathLike[str],
    *,
    on_progress: Callable[[ReadProgress], None] | None = None,
    max_record_chars: int = DEFAULT_MAX_RECORD_CHARS,
) -> CordisReader[ParticipationRow]:
    """Open a CORDIS organization file; iterate it for ParticipationRow and RowError items.

    Raises NotCordisFile at once if required columns (projectID, organisationID, name,
    activityType, country, role) are missing.
    """
    return CordisReader(
        path,
        PARTICIPATIONS,
        _participation,
        aliases=PARTICIPATION_ALIASES,
        on_progress=on_progress,
        max_record_chars=max_record_chars,
    )

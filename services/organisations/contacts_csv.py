"""Importing contacts from a CSV file: all or nothing.

Columns (a header line names them, in any order): the organisation (its PIC or its id),
name, email and function (optional). UTF-8, with or without a byte-order mark (Excel's
"CSV UTF-8"); separated by ``;`` or ``,`` (whichever the header uses). Every bad row is
reported with its line and the reason, and a file with one bad row writes nothing. A
person already a contact of that organisation is left as is and counted as known.

An import from an organisation's page is for that organisation: the organisation column
may then be left out, and a row naming another organisation is a bad row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Contact, Organisation
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.organisations.contacts import add_contact, clean_contact

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Header names accepted for each column (compared lower-cased, spaces and dashes as "_").
COLUMNS = {
    "organisation": ("organisation", "organization", "org", "organisation_pic_or_id"),
    "pic": ("pic", "organisation_pic", "organization_pic"),
    "id": ("organisation_id", "organization_id", "org_id"),
    "name": ("name", "full_name", "contact_name"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "function": ("function", "position", "job_title", "title", "role"),
}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, with ``errors``, why it did nothing)."""

    added: int = 0
    known: int = 0
    linked: int = 0
    organisations: Counter[int] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)


class ContactImportRefused(InvalidInput):
    """A file with bad rows: ``errors`` lists each (line, reason); nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        noun = "row is" if len(errors) == 1 else "rows are"
        super().__init__(f"{len(errors)} {noun} not valid; nothing was imported.")
        self.errors = errors


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not UTF-8 text (byte {exc.start + 1}); save it as 'CSV UTF-8'."
        ) from None
    if not text.strip():
        raise InvalidInput("The file is empty.")
    return text


def _header_map(header: list[str]) -> dict[str, int]:
    """Column kind -> position, or InvalidInput naming what is missing or unknown."""
    found: dict[str, int] = {}
    for position, raw in enumerate(header):
        key = raw.strip().lower().replace(" ", "_").replace("-", "_")
        kinds = [kind for kind, names in COLUMNS.items() if key in names]
        if not kinds:
            if key:
                raise InvalidInput(f"Line 1: unknown column {raw.strip()!r}.")
            continue
        if kinds[0] in found:
            raise InvalidInput(f"Line 1: the column {raw.strip()!r} appears twice.")
        found[kinds[0]] = position
    missing = [c for c in ("name", "email") if c not in found]
    if missing:
        raise InvalidInput(f"Line 1: the header has no {' and no '.join(missing)} column.")
    if sum(k in found for k in ("organisation", "pic", "id")) > 1:
        raise InvalidInput("Line 1: name the organisation in one column (its PIC or its id).")
    return found


class _Organisations:
    """Resolves the organisation of each row (by PIC, or id), caching each lookup."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_key: dict[tuple[str, str], Organisation | None] = {}

    def find(self, kind: str, value: str) -> Organisation | None:
        key = (kind, value)
        if key not in self.by_key:
            self.by_key[key] = self._lookup(kind, value)
        return self.by_key[key]

    def _lookup(self, kind: str, value: str) -> Organisation | None:
        if kind in ("pic", "organisation"):
            org = self.session.scalar(select(Organisation).where(Organisation.pic == value))
            if org is not None or kind == "pic":
                return org
        if not value.isdigit() or int(value) > 2**31 - 1:
            return None
        return self.session.get(Organisation, int(value))


def _row_organisation(
    row: list[str], columns: dict[str, int], orgs: _Organisations, fixed: Organisation | None
) -> Organisation:
    kind = next((k for k in ("organisation", "pic", "id") if k in columns), None)
    value = _cell(row, columns, kind).strip() if kind else ""
    if not value:
        if fixed is None:
            raise InvalidInput("no organisation (give its PIC or id).")
        return fixed
    if "\x00" in value:
        raise InvalidInput("the organisation contains a NUL byte.")
    org = orgs.find(kind or "organisation", value)
    if org is None:
        raise InvalidInput(f"no organisation has the PIC or id {value[:40]!r}.")
    if org.merged_into_id is not None:
        raise InvalidInput(f"{org.display_name} was merged into another organisation.")
    if fixed is not None and org.id != fixed.id:
        raise InvalidInput(f"this file is for {fixed.display_name}, the row names another one.")
    return org


def _cell(row: list[str], columns: dict[str, int], kind: str | None) -> str:
    position = columns.get(kind or "")
    return row[position] if position is not None and position < len(row) else ""


def _rows(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    first = text.lstrip().splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _header_map(header)
        rows: list[tuple[int, list[str]]] = []  # (line number, cells)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(f"The file has more than {MAX_ROWS} contacts; split it.")
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InvalidInput(f"Line {reader.line_num}: the file is not valid CSV ({exc}).") from None
    if not rows:
        raise InvalidInput("The file has a header but no contacts.")
    return columns, rows


def import_contacts(
    session: Session, ctx: RequestContext, data: bytes, *, organisation_id: int | None = None
) -> ImportReport:
    """Add every contact of the CSV ``data``, or none if any row is bad (ContactImportRefused).

    ``organisation_id``: the import is for that organisation only (its page's upload).
    """
    fixed = None
    if organisation_id is not None:
        fixed = session.get(Organisation, organisation_id)
        if fixed is None:
            raise NotFound("No such organisation.")
        if ctx.actor is not None and not policies.can_manage_contacts(ctx.actor, fixed):
            raise PermissionDenied(f"You cannot change the contacts of {fixed.display_name}.")
    columns, rows = _rows(_decode(data))
    orgs = _Organisations(session)
    report = ImportReport()
    seen: dict[tuple[int, str], int] = {}
    wanted: list[tuple[int, Organisation, str, str, str]] = []
    for line, row in rows:
        try:
            org = _row_organisation(row, columns, orgs, fixed)
            if ctx.actor is not None and not policies.can_manage_contacts(ctx.actor, org):
                raise InvalidInput(f"you cannot change the contacts of {org.display_name}.")
            name, email, function = clean_contact(
                _cell(row, columns, "name"),
                _cell(row, columns, "email"),
                _cell(row, columns, "function"),
            )
        except InvalidInput as exc:
            report.errors.append(RowError(line, exc.message))
            continue
        if (org.id, email) in seen:
            first = seen[org.id, email]
            report.errors.append(RowError(line, f"{email} is already on line {first}."))
            continue
        seen[org.id, email] = line
        wanted.append((line, org, name, email, function))
    if report.errors:
        raise ContactImportRefused(report.errors)
    known = _known(session, {(org.id, email) for _line, org, _n, email, _f in wanted})
    for _line, org, name, email, function in wanted:
        if (org.id, email) in known:
            report.known += 1
            continue
        contact = add_contact(
            session, ctx, org.id, name=name, email=email, function=function, source="csv"
        )
        report.added += 1
        report.linked += contact.user_id is not None
        report.organisations[org.id] += 1
    audit.record(
        session,
        ctx.actor,
        "contacts.imported",
        fixed,
        ip=ctx.client_ip,
        added=report.added,
        known=report.known,
        organisations=dict(report.organisations),
    )
    return report


def _known(session: Session, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (organisation, email) pairs of ``pairs`` that are contacts already."""
    org_ids = {org_id for org_id, _email in pairs}
    rows = session.execute(
        select(Contact.organisation_id, Contact.email).where(Contact.organisation_id.in_(org_ids))
    )
    return {(org_id, email) for org_id, email in rows} & pairs

"""Open a CORDIS file (.csv, .csv.gz or .zip) as a stream of numbered, decoded lines."""

from __future__ import annotations

import csv
import gzip
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from services.organisations.cordis.rows import CordisFileError, NotCordisFile

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK"  # local file header, or end of central directory (empty zip)
_DECOMPRESS_ERRORS = (EOFError, OSError, zlib.error, zipfile.BadZipFile)
CHUNK_BYTES = 1 << 15
BLANK_RUN = 4096  # blank lines per Line yielded for a run of them
# What a header separated by something else than ';' is told.
_OTHER_SEPARATORS = {",": "',' (comma)", "\t": "a tab", "|": "'|' (pipe)"}


class Line(NamedTuple):
    """A physical line: its 1-based number, its text and why it is unreadable (or None)."""

    number: int
    text: str
    error: str | None


@dataclass(frozen=True)
class FileKind:
    """What a reader looks for: a label, required and known columns, preferred zip members.

    Each required column is a tuple of the names it goes by (the first is shown), e.g.
    ("projectID", "id"): the files of data/cordis-he say projectID, the official bulk
    downloads id.
    """

    label: str
    required: tuple[tuple[str, ...], ...]
    known: tuple[str, ...]
    member_names: tuple[str, ...]

    def missing(self, columns: list[str]) -> list[str]:
        """The required columns absent from `columns`, as shown to people."""
        lowered = {c.lower() for c in columns}
        return [
            names[0] + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")
            for names in self.required
            if not any(n.lower() in lowered for n in names)
        ]

    def required_text(self) -> str:
        return ", ".join(names[0] for names in self.required)


@dataclass
class Header:
    """The parsed header line of a CORDIS file."""

    columns: list[str]
    delimiter: str
    size: int


class Source:
    """An open CORDIS file positioned after its header, with byte progress."""

    def __init__(
        self,
        name: str,
        stream: BinaryIO,
        header: Header,
        total_bytes: int,
        position: Callable[[], int] | None,
        closers: list[BinaryIO | zipfile.ZipFile],
        max_line_bytes: int,
    ) -> None:
        self.name = name
        self.header = header
        self.total_bytes = total_bytes
        self._stream = stream
        self._position = position
        self._closers = closers
        self._max_line_bytes = max_line_bytes
        self._consumed = header.size

    def bytes_read(self) -> int:
        """Bytes consumed so far (compressed bytes for gzip, member bytes for zip)."""
        return self._position() if self._position else self._consumed

    def lines(self) -> Iterator[Line]:
        """Yield the data lines after the header (the header is line 1).

        The stream is read in chunks and split in C: a run of blank lines comes out as
        one Line of line ends (at most BLANK_RUN of them, numbered by its last line), so
        a file padded with millions of blank lines reads at the speed of the disk.
        """
        number = 1
        limit = self._max_line_bytes
        head = b""  # the unfinished line so far (at most `limit` bytes)
        too_long = False
        blank, unit = 0, "\n"  # blank lines seen and not yet yielded, and their ending
        while True:
            chunk = self._read_chunk(number)
            if not chunk:
                break
            if not head and not too_long and not chunk.strip(b"\n") and unit == "\n":
                count = len(chunk)  # only newlines
                number += count
                blank += count
                if blank >= BLANK_RUN:
                    yield from self._blank_runs(number, blank, unit)
                    blank = 0
                continue
            parts = chunk.split(b"\n")
            tail = parts.pop()
            for part in parts:
                number += 1
                if head:
                    part, head = head + part, b""
                if not too_long and (not part or part == b"\r"):
                    kind = "\r\n" if part else "\n"
                    if kind != unit and blank:
                        yield from self._blank_runs(number - 1, blank, unit)
                        blank = 0
                    blank, unit = blank + 1, kind
                    continue
                if blank:
                    yield from self._blank_runs(number - 1, blank, unit)
                    blank = 0
                unit = "\n"
                if too_long or len(part) >= limit:
                    too_long = False
                    text = part[: limit - 1].decode("utf-8", "replace") + "\n"
                    yield Line(number, text, f"line longer than {limit} bytes")
                    continue
                yield _decode(number, part + b"\n")
            if not too_long:
                head += tail
                if len(head) >= limit:
                    head, too_long = head[:limit], True
        if blank:
            yield from self._blank_runs(number, blank, unit)
        if too_long:
            text = head.decode("utf-8", "replace")
            yield Line(number + 1, text, f"line longer than {limit} bytes")
        elif head.strip(b"\r"):
            yield _decode(number + 1, head)

    def _read_chunk(self, number: int) -> bytes:
        try:
            chunk = self._stream.read(CHUNK_BYTES)
        except _DECOMPRESS_ERRORS as exc:
            raise CordisFileError(
                f"{self.name}: corrupt or truncated after line {number}: {exc}"
            ) from exc
        self._consumed += len(chunk)
        return chunk

    @staticmethod
    def _blank_runs(last: int, count: int, unit: str) -> Iterator[Line]:
        """`count` blank lines ending at line `last` (each `unit`: LF or CR LF), as Lines of
        at most BLANK_RUN of them."""
        first = last - count + 1
        while first <= last:
            size = min(BLANK_RUN, last - first + 1)
            first += size
            yield Line(first - 1, unit * size, None)

    def close(self) -> None:
        """Close every file handle this source opened."""
        if self._closers and self._position is not None:
            final = self._position()
            self._position = lambda: final
        for closer in reversed(self._closers):
            closer.close()
        self._closers = []


def _decode(number: int, raw: bytes) -> Line:
    try:
        return Line(number, raw.decode("utf-8"), None)
    except UnicodeDecodeError:
        return Line(number, raw.decode("utf-8", "replace"), "invalid UTF-8")


def open_source(path: str | os.PathLike[str], kind: FileKind, max_line_bytes: int) -> Source:
    """Open `path`, detect its format and check its header; raise NotCordisFile if wrong."""
    path = Path(path)
    total = path.stat().st_size
    raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
    try:
        magic = raw.read(4)
        raw.seek(0)
        if not magic:
            raise NotCordisFile(f"{path}: the file is empty, not a CORDIS {kind.label} file")
        if magic.startswith(_ZIP_MAGIC):
            return _open_zip(path, raw, kind, max_line_bytes)
        if magic.startswith(_GZIP_MAGIC):
            stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
            closers: list[BinaryIO | zipfile.ZipFile] = [raw, stream]
            header = _read_header(str(path), stream, kind, max_line_bytes)
            return Source(str(path), stream, header, total, raw.tell, closers, max_line_bytes)
        header = _read_header(str(path), raw, kind, max_line_bytes)
        return Source(str(path), raw, header, total, None, [raw], max_line_bytes)
    except BaseException:
        raw.close()
        raise


def _open_zip(path: Path, raw: BinaryIO, kind: FileKind, max_line_bytes: int) -> Source:
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        raise NotCordisFile(f"{path}: not a readable zip archive ({exc})") from exc
    try:
        info, header = _pick_member(path, archive, kind, max_line_bytes)
        stream: BinaryIO = archive.open(info)  # type: ignore[assignment]
        stream.read(header.size)
        name = f"{path}:{info.filename}"
        closers: list[BinaryIO | zipfile.ZipFile] = [raw, archive, stream]
        return Source(name, stream, header, info.file_size, None, closers, max_line_bytes)
    except BaseException:
        archive.close()
        raise


def _pick_member(
    path: Path, archive: zipfile.ZipFile, kind: FileKind, max_line_bytes: int
) -> tuple[zipfile.ZipInfo, Header]:
    """Choose the CSV member with the required columns: preferred name, then most columns."""
    best: tuple[tuple[bool, int], zipfile.ZipInfo, Header] | None = None
    members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
    for info in members:
        name = f"{path}:{info.filename}"
        try:
            with archive.open(info) as member:
                header = _read_header(name, member, kind, max_line_bytes)  # type: ignore[arg-type]
        except NotCordisFile:
            continue
        except _DECOMPRESS_ERRORS:
            continue
        stem = Path(info.filename).stem.lower()
        lowered = {c.lower() for c in header.columns}
        score = (stem in kind.member_names, sum(c.lower() in lowered for c in kind.known))
        if best is None or score > best[0]:
            best = (score, info, header)
    if best is None:
        names = ", ".join(i.filename for i in archive.infolist()) or "none"
        raise NotCordisFile(
            f"{path}: no CSV file in this zip has the CORDIS {kind.label} columns "
            f"{kind.required_text()} (members: {names})"
        )
    return best[1], best[2]


def _read_header(name: str, stream: BinaryIO, kind: FileKind, max_line_bytes: int) -> Header:
    """Read and check the header line: ';'-separated (as CORDIS publishes), with the
    required columns; another separator is named in the refusal."""
    try:
        raw = stream.readline(max_line_bytes)
    except _DECOMPRESS_ERRORS as exc:
        raise NotCordisFile(f"{name}: cannot decompress ({exc})") from exc
    if not raw:
        raise NotCordisFile(f"{name}: the file is empty, not a CORDIS {kind.label} file")
    if len(raw) >= max_line_bytes and not raw.endswith(b"\n"):
        raise NotCordisFile(f"{name}: first line longer than {max_line_bytes} bytes, no header")
    try:
        text = raw.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise NotCordisFile(f"{name}: not UTF-8 text, not a CORDIS {kind.label} file") from None
    try:
        columns = [c.strip() for c in next(csv.reader([text], delimiter=";"), [])]
    except csv.Error:
        columns = []
    missing = kind.missing(columns)
    if not missing:
        return Header(columns, ";", len(raw))
    for separator, label in _OTHER_SEPARATORS.items():
        others = [c.strip() for c in text.split(separator)]
        if len(others) > max(len(columns), 1) and len(kind.missing(others)) < len(missing):
            raise NotCordisFile(
                f"{name}: the header is separated by {label}, not ';' as CORDIS publishes "
                f"its files; export it again with ';' between columns"
            )
    shown = text[:80] + ("..." if len(text) > 80 else "")
    raise NotCordisFile(
        f"{name}: not a CORDIS {kind.label} file: missing columns {', '.join(missing)} "
        f"(header starts {shown!r})"
    )

"""Split numbered lines into CSV records, reporting broken quoting instead of swallowing rows.

The csv module joins lines while a quoted field is open, so one unclosed quote can eat the
rest of a file. We feed it lines one at a time and watch each record it builds:

- a continuation line that on its own is a well-formed record (balanced quotes, the header's
  field count, a numeric id) means the previous record's quote never closed;
- a record spanning several lines with the wrong field count, a record longer than
  `max_record_chars`, or end of file inside quotes mean the same.

The broken record's first line is reported and the lines after it are parsed again, so at
most that one record is lost. Known limit: a genuine quoted field with an inner line (not
its last) that is itself a well-formed record is reported as broken quoting.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator

from services.organisations.cordis.source import Line


class _BrokenRecord(Exception):
    """Raised through csv.reader to abandon the record being built."""


class _LineFeed:
    """The iterator csv.reader pulls lines from; keeps the lines of the current record."""

    def __init__(self, lines: Iterator[Line], splitter: RecordSplitter) -> None:
        self._lines = lines
        self._splitter = splitter
        self._pending: deque[Line] = deque()
        self.record: list[Line] = []
        self.size = 0
        self.eof_in_record = False

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        while True:
            if self._pending:
                line = self._pending.popleft()
            else:
                try:
                    line = next(self._lines)
                except StopIteration:
                    self.eof_in_record = bool(self.record)
                    raise
            if line.text.count("\n") < 2 or line.text.strip("\r\n"):
                break
            # A run of blank lines (one Line of line ends): skipped between records,
            # one line at a time inside a record (a quoted field's empty lines).
            if not self.record:
                continue
            ends = line.text.splitlines(keepends=True)
            first = line.number - len(ends) + 1
            self.push_back(Line(first + i, end, None) for i, end in enumerate(ends))
        if not self.record:
            self.record = [line]
            self.size = len(line.text)
            return line.text
        self.record.append(line)
        self.size += len(line.text)
        if self.size > self._splitter.max_record_chars:
            raise _BrokenRecord(
                f"record longer than {self._splitter.max_record_chars} characters (unclosed quote?)"
            )
        if self._splitter.looks_like_record(line.text):
            raise _BrokenRecord(f"unclosed quote: line {line.number} starts a new record")
        return line.text

    def take(self) -> list[Line]:
        """Return and forget the lines of the record just read."""
        record, self.record, self.size = self.record, [], 0
        return record

    def push_back(self, lines: Iterable[Line]) -> None:
        """Make `lines` the next lines read, in order."""
        self._pending.extendleft(reversed(list(lines)))


class RecordSplitter:
    """Yield (first line number, fields) or (first line number, error reason) per record."""

    def __init__(
        self, delimiter: str, field_count: int, id_index: int, max_record_chars: int
    ) -> None:
        self.delimiter = delimiter
        self.field_count = field_count
        self.id_index = id_index
        self.max_record_chars = max_record_chars

    def looks_like_record(self, text: str) -> bool:
        """True if `text` alone is a well-formed record: balanced quotes, all fields, numeric id.

        The last line of a genuine multi-line field holds its closing quote, so its quotes
        are unbalanced and it never qualifies.
        """
        if text.count('"') % 2 or text.count(self.delimiter) < self.field_count - 1:
            return False
        try:
            fields = next(csv.reader([text], delimiter=self.delimiter, strict=True), [])
        except csv.Error:
            return False
        return len(fields) == self.field_count and fields[self.id_index].strip().isdigit()

    def split(self, lines: Iterator[Line]) -> Iterator[tuple[int, list[str] | str]]:
        """Yield (line, fields) for good records and (line, reason) for broken ones."""
        feed = _LineFeed(lines, self)
        while True:
            reader = csv.reader(feed, delimiter=self.delimiter, strict=False)
            try:
                for fields in reader:
                    record = feed.take()
                    result = self._check(fields, record, feed)
                    if result is not None:
                        yield result
                return
            except _BrokenRecord as exc:
                record = feed.take()
                feed.push_back(record[1:])
                yield record[0].number, str(exc)
            except csv.Error as exc:
                record = feed.take()
                feed.push_back(record[1:])
                yield record[0].number, f"unreadable CSV: {exc}"

    def _check(
        self, fields: list[str], record: list[Line], feed: _LineFeed
    ) -> tuple[int, list[str] | str] | None:
        start = record[0].number
        bad = next((line for line in record if line.error), None)
        if bad is not None:
            return start, f"line {bad.number}: {bad.error}"
        if feed.eof_in_record:
            feed.eof_in_record = False
            feed.push_back(record[1:])
            return start, "unclosed quote at end of file"
        if len(fields) == self.field_count:
            return start, fields
        if len(fields) <= 1 and not "".join(fields).strip():
            return None  # blank line
        if len(record) > 1:
            feed.push_back(record[1:])
            return start, (
                f"unclosed quote or wrong field count: {len(fields)} fields over "
                f"{len(record)} lines, expected {self.field_count}"
            )
        hint = " (stray quote?)" if '"' in record[0].text else ""
        return start, f"wrong field count: {len(fields)}, expected {self.field_count}{hint}"

"""The read-ahead thread: rows in order, errors where they happened, a clean stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from services.organisations.cordis.read_ahead import ReadAhead
from services.organisations.cordis.reader import ReadProgress


class FakeReader:
    """Stands in for a CordisReader: rows 0..n-1, optionally failing after ``fail_at``."""

    file = "organization.csv"

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at, self.read = n, fail_at, 0

    def __iter__(self) -> Iterator[int]:
        for i in range(self.n):
            if i == self.fail_at:
                raise ValueError(f"bad line {i}")
            self.read = i + 1
            yield i

    def progress(self) -> ReadProgress:
        return ReadProgress(self.read, self.n, self.read)


def read_ahead(reader: FakeReader, **kw: Any) -> ReadAhead[Any]:
    return ReadAhead(reader, **kw)  # type: ignore[arg-type]  # duck-typed stand-in


def test_rows_come_out_in_order_and_progress_follows_what_was_handed_out() -> None:
    reader = FakeReader(2_345)
    with read_ahead(reader, chunk=100, depth=2) as rows:
        seen = []
        for row in rows:
            seen.append(row)
            assert rows.progress().records >= len(seen) - 100
        assert seen == list(range(2_345))
        assert rows.progress().fraction == 1.0


def test_an_error_is_raised_after_the_rows_before_it() -> None:
    seen: list[int] = []
    with (
        pytest.raises(ValueError, match="bad line 1234"),
        read_ahead(FakeReader(5_000, fail_at=1_234), chunk=100) as rows,
    ):
        for row in rows:
            seen.append(row)
    assert seen == list(range(1_234))


def test_leaving_early_stops_the_thread() -> None:
    before = threading.active_count()
    with read_ahead(FakeReader(1_000_000), chunk=10, depth=2) as rows:
        for row in rows:
            if row == 50:
                break
    assert threading.active_count() == before

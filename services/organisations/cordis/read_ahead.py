"""Read a CORDIS file ahead of the writer, in a background thread.

The import alternates between parsing rows (Python, holding the GIL) and waiting for the
database to write a batch (the GIL released while psycopg or sqlite3 waits). Parsing the
next rows while the database writes the last batch lets the two overlap on two cores: the
first import of the Horizon Europe files spends about as long waiting for PostgreSQL as it
spends parsing. Hand-written because it is a dozen lines of the standard library's
``threading`` and ``queue``; no maintained library offers a bounded read-ahead of an
iterator that passes its exceptions through in order.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Generic

from services.organisations.cordis.reader import CordisReader, ReadProgress, RowError, RowT

_END = object()


class ReadAhead(Generic[RowT]):
    """Iterate a reader's rows while a thread reads up to ``depth`` chunks ahead.

    Rows and errors (``RowError`` items and exceptions such as a refused file) come out in
    the file's order; ``progress()`` is the reader's progress as of the last row handed out.
    Use as a context manager inside the reader's own ``with``: leaving it stops the thread
    before the reader's file is closed.
    """

    def __init__(self, reader: CordisReader[RowT], chunk: int = 500, depth: int = 8) -> None:
        self.file = reader.file
        self._reader: CordisReader[RowT] = reader
        self._chunk = chunk
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._progress = reader.progress()
        self._thread = threading.Thread(target=self._fill, name="cordis-read-ahead", daemon=True)
        self._thread.start()

    def _fill(self) -> None:
        chunk: list[RowT | RowError] = []
        try:
            for row in self._reader:
                chunk.append(row)
                if len(chunk) >= self._chunk:
                    if not self._put((chunk, self._reader.progress(), None)):
                        return
                    chunk = []
            if self._put((chunk, self._reader.progress(), None)):
                self._put(_END)
        except BaseException as exc:  # handed to the consumer, raised there in order
            self._put((chunk, self._reader.progress(), exc))

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[RowT | RowError]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            rows, progress, exc = item
            self._progress = progress
            yield from rows
            if exc is not None:
                raise exc

    def progress(self) -> ReadProgress:
        return self._progress

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> ReadAhead[RowT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

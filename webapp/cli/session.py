"""The transaction of a CLI command: the runtime's ``session_scope()``, the single commit
point of commands and tasks; in-process tasks it rang finish before the command returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from webapp.database import current_runtime


@contextmanager
def command_session() -> Iterator[Session]:
    """One transaction per command: committed on success, rolled back on any error."""
    runtime = current_runtime()
    with runtime.session_scope() as session:
        yield session
    runtime.dispatcher.wait_idle()

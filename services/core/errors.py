"""Errors a user can cause; the web layer turns each into a clear message, never a 500.

No message shown to people names a place on the server: ``without_paths`` cuts every
absolute file path down to its file name. ServiceError applies it to its message and field
errors; services apply it to the failure messages they store for pages (imports, index
builds, match runs, task runs, mail delivery).
"""

from __future__ import annotations

import re

# An absolute path (/srv/x/y.csv, C:\x\y.csv, or a two-segment one such as /tmp/y.zip) at
# the start or after a space, quote, bracket, '=' or ':'; URLs (scheme://host/...) are kept.
_PATH = re.compile(
    r"(?<![\w/.:~-])(?:[A-Za-z]:)?[/\\](?:[^\s'\"()\[\]<>,;:/\\]+[/\\])+"
    r"([^\s'\"()\[\]<>,;:/\\]*)"
)


def without_paths(text: str) -> str:
    """``text`` with every absolute file path replaced by its last part (the file name)."""
    return _PATH.sub(lambda m: m.group(1) or "(a folder)", text)


class ServiceError(Exception):
    """Base class: ``message`` is shown to the user as is (without server paths)."""

    status = 400

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        message = without_paths(message)
        super().__init__(message)
        self.message = message
        self.field_errors = {
            name: [without_paths(m) for m in messages]
            for name, messages in (field_errors or {}).items()
        }


class InvalidInput(ServiceError):
    status = 400


class PermissionDenied(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object is not in a state that allows the action (409)."""

    status = 409

"""Errors a user can cause; the web layer turns each into a clear message, never a 500."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``message`` is shown to the user as is."""

    status = 400

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(ServiceError):
    status = 400


class PermissionDenied(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The object is not in a state that allows the action (409)."""

    status = 409

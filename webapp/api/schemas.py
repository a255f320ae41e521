"""Shared API schemas. Money is a string with a pattern (never a float)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from webapp.routing import ID_MAX

# A database id (path ids are bounded the same way by webapp.routing.IdConverter).
VALID_ID = validate.Range(min=1, max=ID_MAX)
MONEY_PATTERN = r"^-?[0-9]{1,12}\.[0-9]{2}$"
# What clients send: ASCII digits (never other scripts' digits, which Python's \d and
# Decimal accept), cents optional, no sign, no separators, no exponent.
MONEY_IN_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
SHARE_PATTERN = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
MONEY_IN_MESSAGE = 'Give euros as a string of digits with at most 2 decimals, e.g. "1250000.00".'


class MoneyOut(fields.String):
    """A Decimal amount written as a string with exactly two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": MONEY_PATTERN, "example": "1250000.00", **kwargs.pop("metadata", {})}
        super().__init__(dump_only=True, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{Decimal(value).quantize(Decimal('0.01')):f}"


class MoneyIn(fields.String):
    """An amount sent by a client: a string of digits with at most two decimals."""

    def __init__(self, *, as_decimal: bool = True, **kwargs: Any) -> None:
        self.as_decimal = as_decimal
        metadata = {
            "pattern": MONEY_IN_PATTERN,
            "example": "1250000.00",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(MONEY_IN_PATTERN, text):
            raise ValidationError(MONEY_IN_MESSAGE)
        return Decimal(text) if self.as_decimal else text


class ShareIn(fields.String):
    """A share between 0 and 1 as a decimal string ("0.2")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": SHARE_PATTERN, "example": "0.2"}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(SHARE_PATTERN, text):
            raise ValidationError('Give a share between 0 and 1 as a string, e.g. "0.2".')
        return Decimal(text)


class ShareOut(fields.String):
    """A share between 0 and 1 with four decimals, as stored (Numeric(6, 4))."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": r"^[01]\.[0-9]{4}$", "example": "0.2000"}
        super().__init__(dump_only=True, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value).quantize(Decimal('0.0001')):f}"


def money(*, nullable: bool = False) -> fields.String:
    """A money field of a response (always present; null only where ``nullable``)."""
    return MoneyOut(allow_none=nullable, required=True)


def one_of(values: Any, **kwargs: Any) -> fields.String:
    """A dumped string from a fixed vocabulary (documented as an enum)."""
    return fields.String(metadata={"enum": list(values)}, **kwargs)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field errors, by field name"},
    )


class CursorArgs(Schema):
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Opaque cursor from the previous page"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageSchema(Schema):
    next_cursor = fields.String(allow_none=True, required=True)


class Extended:
    """An object seen through a response schema with a few extra attributes."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

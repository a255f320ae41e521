"""Shared API schemas. Money is a string with a pattern (never a float)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MONEY_PATTERN = r"^-?\d{1,12}\.\d{2}$"


def money(**kwargs: object) -> fields.String:
    return fields.String(
        metadata={"pattern": MONEY_PATTERN, "example": "1250000.00", **kwargs}, dump_only=True
    )


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
    cursor = fields.String(metadata={"description": "Opaque cursor from the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageSchema(Schema):
    next_cursor = fields.String(allow_none=True)

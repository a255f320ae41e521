"""Calls: every signed-in user reads them; coordinators create and edit them (deadlines in
the future, stage 1 before stage 2: field errors as on the web form)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models import Call
from models.programmes import CALL_TYPES
from services.core.errors import InvalidInput
from services.topics import calls as call_service
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import VALID_ID, CursorArgs, PageSchema
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_calls", "/calls", "Calls for proposals")

DEADLINE_HELP = (
    "ISO 8601. Without an offset it is the wall-clock time in the call's timezone "
    "(2027-04-25T17:00); with one it is that moment. Must lie in the future."
)


class CallSchema(Schema):
    id = fields.Integer()
    identifier = fields.String()
    title = fields.String()
    call_type = fields.String(metadata={"enum": ["single_stage", "two_stage"]})
    stage1_deadline = fields.DateTime(allow_none=True)
    stage2_deadline = fields.DateTime(allow_none=True)
    timezone = fields.String()
    programme_id = fields.Integer()


class CallPageSchema(PageSchema):
    items = fields.List(fields.Nested(CallSchema))


class CallEditSchema(Schema):
    """Every field optional: an edit changes only what it sends."""

    programme_id = fields.Integer(validate=VALID_ID)
    identifier = fields.String(validate=validate.Length(min=1, max=60))
    title = fields.String(validate=validate.Length(min=1, max=300))
    call_type = fields.String(validate=validate.OneOf(CALL_TYPES))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    stage1_deadline = fields.DateTime(allow_none=True, metadata={"description": DEADLINE_HELP})
    stage2_deadline = fields.DateTime(allow_none=True, metadata={"description": DEADLINE_HELP})


class CallCreateSchema(CallEditSchema):
    programme_id = fields.Integer(required=True, validate=VALID_ID)
    identifier = fields.String(required=True, validate=validate.Length(min=1, max=60))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    call_type = fields.String(load_default="two_stage", validate=validate.OneOf(CALL_TYPES))
    timezone = fields.String(load_default="Europe/Brussels", validate=validate.Length(max=64))


def _wall_clock(value: datetime | None, zone: str) -> datetime | None:
    """An aware moment as the wall-clock time of ``zone``; a naive one is already that."""
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    except (KeyError, ValueError):  # an unknown zone: the service names the field
        return value.replace(tzinfo=None)


def _save(args: dict[str, Any], call: Call | None) -> Call:
    current: dict[str, Any] = {}
    if call is not None:
        current = {
            "programme_id": call.programme_id,
            "identifier": call.identifier,
            "title": call.title,
            "call_type": call.call_type,
            "timezone": call.timezone,
            "stage1_deadline": call_service.to_local(call.stage1_deadline, call.timezone),
            "stage2_deadline": call_service.to_local(call.stage2_deadline, call.timezone),
        }
    current.update(args)
    zone = str(current["timezone"]).strip()
    data = call_service.CallInput(
        programme_id=current["programme_id"],
        identifier=current["identifier"],
        title=current["title"],
        call_type=current["call_type"],
        timezone=zone,
        stage1_local=_wall_clock(current.get("stage1_deadline"), zone),
        stage2_local=_wall_clock(current.get("stage2_deadline"), zone),
    )
    try:
        return call_service.save_call(db(), context(api_user()), data, call)
    except InvalidInput as exc:  # the form's field names, as the API names them
        names = {"stage1_local": "stage1_deadline", "stage2_local": "stage2_deadline"}
        errors = {names.get(k, k): v for k, v in exc.field_errors.items()}
        raise InvalidInput(exc.message, errors) from exc


@blp.route("")
class Calls(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, CallPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        items, next_cursor = cursor_page(
            db(), call_service.listing(), Call.id, args.get("cursor"), args["limit"]
        )
        return {"items": items, "next_cursor": next_cursor}

    @blp.arguments(CallCreateSchema)
    @blp.response(201, CallSchema)
    def post(self, args: dict[str, Any]) -> Call:
        """Create a call (coordinators); bad deadlines are 422 with field errors."""
        return _save(args, None)


@blp.route("/<int:call_id>")
class CallItem(MethodView):
    @blp.response(200, CallSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, call_id: int) -> Call:
        return call_service.get_call(db(), call_id)

    @blp.arguments(CallEditSchema)
    @blp.response(200, CallSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, args: dict[str, Any], call_id: int) -> Call:
        """Edit a call (coordinators); a deadline kept as it was stays valid once passed."""
        return _save(args, call_service.get_call(db(), call_id))

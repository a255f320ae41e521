"""Calls (read-only): every signed-in user may read calls."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from models import Call
from services.topics import calls as call_service
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import CursorArgs, PageSchema
from webapp.database import db

blp = api_blueprint("api_calls", "/calls", "Calls for proposals")


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


@blp.route("")
class Calls(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, CallPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        items, next_cursor = cursor_page(
            db(), call_service.listing(), Call.id, args.get("cursor"), args["limit"]
        )
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/<int:call_id>")
class CallItem(MethodView):
    @blp.response(200, CallSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, call_id: int) -> Call:
        return call_service.get_call(db(), call_id)

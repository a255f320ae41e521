"""The token user's inbox: list (optionally unread only), mark one or all as read."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from models import OutboxMessage
from services.notifications import inbox
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import CursorArgs, PageSchema
from webapp.database import db

blp = api_blueprint("api_notifications", "/notifications", "The user's notification inbox")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True, metadata={"example": "pledge.confirmed"})
    subject = fields.String(required=True)
    body = fields.String(attribute="body_text", required=True)
    link = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


class NotificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)
    unread = fields.Integer(required=True, metadata={"description": "Unread items in all"})


class InboxArgs(CursorArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread items"})


class MarkedSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "Items marked read"})


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first."""
        user = api_user()
        items, next_cursor = cursor_page(
            db(),
            inbox.listing(user, args["unread"]),
            OutboxMessage.id,
            args.get("cursor"),
            args["limit"],
            descending=True,
        )
        return {
            "items": items,
            "next_cursor": next_cursor,
            "unread": inbox.unread_count(db(), user),
        }


@blp.route("/<int:item_id>/read")
class Read(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, item_id: int) -> OutboxMessage:
        """Mark one of your notifications as read (someone else's is a 404)."""
        return inbox.mark_read(db(), api_user(), item_id)


@blp.route("/read-all")
class ReadAll(MethodView):
    @blp.response(200, MarkedSchema)
    def post(self) -> dict[str, int]:
        return {"marked": inbox.mark_all_read(db(), api_user())}

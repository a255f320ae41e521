"""Expressions of interest: an organisation's people flag a published topic with a note of
what it brings, edit or withdraw it. Coordinators and the topic's SGG see every interest of
the topic; everyone else only their own organisations'."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models import TopicInterest
from models.interests import NOTE_MAX
from services.consortia import interest
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.schemas import VALID_ID
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_interests", "", "Expressions of interest in topics")
NOTE_ABOUT = {"description": "What the organisation brings (NUL bytes are refused)"}


def _org(attribute: str) -> fields.Function:
    return fields.Function(
        lambda i: getattr(i.organisation, attribute), required=True, metadata={"type": "string"}
    )


class InterestSchema(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = _org("display_name")
    country = _org("country")
    sector = _org("sector")
    note = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class InterestListSchema(Schema):
    items = fields.List(fields.Nested(InterestSchema), required=True)


class ExpressArgs(Schema):
    organisation_id = fields.Integer(required=True, validate=VALID_ID)
    note = fields.String(
        load_default="", validate=validate.Length(max=NOTE_MAX), metadata=NOTE_ABOUT
    )


class NoteArgs(Schema):
    note = fields.String(required=True, validate=validate.Length(max=NOTE_MAX), metadata=NOTE_ABOUT)


@blp.route("/topics/<int:topic_id>/interests")
class TopicInterests(MethodView):
    @blp.response(200, InterestListSchema)
    def get(self, topic_id: int) -> dict[str, Any]:
        """The topic's interests you may see: all of them (coordinators, the topic's SGG) or
        your organisations' own."""
        return {"items": interest.visible_interests(db(), api_user(), topic_id)}

    @blp.arguments(ExpressArgs)
    @blp.response(201, InterestSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, args: dict[str, Any], topic_id: int) -> TopicInterest:
        """Express interest for one of your organisations (the topic must be published);
        coordinators are told. 409 if the organisation already did: edit it instead."""
        return interest.express_interest(
            db(), context(api_user()), topic_id, args["organisation_id"], args["note"]
        )


@blp.route("/interests/<int:interest_id>")
class InterestItem(MethodView):
    @blp.response(200, InterestSchema)
    def get(self, interest_id: int) -> TopicInterest:
        return interest.get_interest(db(), api_user(), interest_id)

    @blp.arguments(NoteArgs)
    @blp.response(200, InterestSchema)
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, args: dict[str, Any], interest_id: int) -> TopicInterest:
        """Change the note (while the topic is published)."""
        return interest.edit_interest(db(), context(api_user()), interest_id, args["note"])

    @blp.response(204)
    def delete(self, interest_id: int) -> None:
        """Withdraw the interest (at any time)."""
        interest.withdraw_interest(db(), context(api_user()), interest_id)

"""Consortium invitations of the caller's organisations: list them, read one in plain
words, accept, or decline with a reason (the answer can change until the consortium closes)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models import Invitation
from models.consortia import INVITATION_STATES
from services.consortia import invitation_page, invitations
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.schemas import one_of
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_invitations", "/invitations", "Invitations to join a consortium")


class InvitationSchema(Schema):
    id = fields.Integer(required=True)
    request_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.Function(
        lambda i: i.organisation.display_name, required=True, metadata={"type": "string"}
    )
    topic_title = fields.Function(
        lambda i: i.request.topic.title, required=True, metadata={"type": "string"}
    )
    status = one_of(INVITATION_STATES, required=True)
    reason = fields.String(required=True, metadata={"description": "Why it was declined"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True, required=True)
    responded_at = fields.DateTime(allow_none=True, required=True)


class ProjectSchema(Schema):
    title = fields.String(required=True)
    year = fields.Integer(allow_none=True, required=True)


class AcceptedMemberSchema(Schema):
    name = fields.String(required=True)
    country = fields.String(required=True)
    sector = fields.String(required=True)


class DeadlineSchema(Schema):
    label = fields.Function(lambda d: d[0], required=True, metadata={"type": "string"})
    at = fields.Function(
        lambda d: d[1].isoformat(),
        required=True,
        metadata={"type": "string", "format": "date-time"},
    )


class CoordinatorSchema(Schema):
    name = fields.Function(lambda c: c[0], required=True, metadata={"type": "string"})
    email = fields.Function(lambda c: c[1], required=True, metadata={"type": "string"})


class InvitationPageSchema(Schema):
    invitation = fields.Nested(InvitationSchema, required=True)
    why = fields.List(fields.String(), required=True)
    projects = fields.List(fields.Nested(ProjectSchema), required=True)
    topic_title = fields.String(attribute="consortium.topic_title", required=True)
    topic_summary = fields.String(attribute="consortium.topic_summary", required=True)
    deadlines = fields.List(
        fields.Nested(DeadlineSchema), attribute="consortium.deadlines", required=True
    )
    accepted = fields.List(
        fields.Nested(AcceptedMemberSchema), attribute="consortium.accepted", required=True
    )
    coordinator = fields.Nested(
        CoordinatorSchema, attribute="consortium.coordinator", allow_none=True, required=True
    )
    can_answer = fields.Boolean(required=True)
    expired = fields.Boolean(required=True)


class InvitationListSchema(Schema):
    items = fields.List(fields.Nested(InvitationSchema), required=True)


class DeclineSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


@blp.route("")
class Mine(MethodView):
    @blp.response(200, InvitationListSchema)
    def get(self) -> dict[str, Any]:
        """The invitations of the caller's organisations, newest first."""
        return {"items": invitations.my_invitations(db(), api_user())}


@blp.route("/<int:invitation_id>")
class InvitationItem(MethodView):
    @blp.response(200, InvitationPageSchema)
    def get(self, invitation_id: int) -> invitation_page.InviteeView:
        """The invitation in plain words: why, the topic, who accepted, deadlines, contact."""
        return invitation_page.invitee_view(db(), api_user(), invitation_id)


@blp.route("/<int:invitation_id>/accept")
class Accept(MethodView):
    @blp.response(200, InvitationSchema)
    def post(self, invitation_id: int) -> Invitation:
        """Accept (also after declining, until the consortium is closed)."""
        return invitations.respond(db(), context(api_user()), invitation_id, True)


@blp.route("/<int:invitation_id>/decline")
class Decline(MethodView):
    @blp.arguments(DeclineSchema)
    @blp.response(200, InvitationSchema)
    def post(self, args: dict[str, Any], invitation_id: int) -> Invitation:
        """Decline with a reason the coordinator reads (also after accepting, until closed)."""
        return invitations.respond(
            db(), context(api_user()), invitation_id, False, reason=args["reason"]
        )

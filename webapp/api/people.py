"""Contacts of an organisation (list, add, remove) and join requests (ask, list the pending
ones you decide, approve, refuse). Contacts are seen and kept by coordinators, admins and
the organisation's own people; join requests are decided by coordinators and the
organisation's partner representatives."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models.accounts import ORG_ROLES
from models.contacts import CONTACT_SOURCES, JOIN_STATES
from services import policies
from services.core.errors import PermissionDenied
from services.organisations import contacts
from services.organisations import join_requests as joins
from services.organisations import profiles as orgs
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.schemas import Extended, one_of
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_people", "", "People of organisations (contacts, join requests)")


class ContactSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    function = fields.String(required=True)
    user_id = fields.Integer(
        allow_none=True, required=True, metadata={"description": "The person's account, if any"}
    )
    source = one_of(CONTACT_SOURCES, required=True)
    created_at = fields.DateTime(required=True)


class ContactListSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema), required=True)


class ContactIn(Schema):
    # Lengths and the address are checked by the service (its field errors are the 4xx's).
    name = fields.String(required=True, validate=validate.Length(max=1000))
    email = fields.String(required=True, validate=validate.Length(max=1000))
    function = fields.String(load_default="", validate=validate.Length(max=1000))


class JoinRequestSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    user_name = fields.Function(lambda jr: jr.user.name, required=True, metadata={"type": "string"})
    user_email = fields.Function(
        lambda jr: jr.user.email, required=True, metadata={"type": "string"}
    )
    note = fields.String(required=True)
    status = one_of(JOIN_STATES, required=True)
    role = one_of(ORG_ROLES, required=True)  # granted on approval
    reason = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)


class PendingSchema(JoinRequestSchema):
    evidence = fields.String(
        required=True, metadata={"description": "What the email domain suggests (never proof)"}
    )


class PendingListSchema(Schema):
    items = fields.List(fields.Nested(PendingSchema), required=True)


class JoinIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ApproveIn(Schema):
    role = fields.String(load_default="applicant", validate=validate.OneOf(ORG_ROLES))


class RefuseIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _contacts_of(org_id: int) -> int:
    org = orgs.get(db(), org_id)
    if not policies.can_see_contacts(api_user(), org.id):
        raise PermissionDenied("Contacts are shown to the organisation's people and the office.")
    return org.id


@blp.route("/organisations/<int:org_id>/contacts")
class OrganisationContacts(MethodView):
    @blp.response(200, ContactListSchema)
    def get(self, org_id: int) -> dict[str, Any]:
        """The organisation's contacts by name."""
        return {"items": contacts.contacts_of(db(), _contacts_of(org_id))}

    @blp.arguments(ContactIn)
    @blp.response(201, ContactSchema)
    def post(self, args: dict[str, Any], org_id: int) -> Any:
        """Add a contact; 409 if the address is already one of this organisation's."""
        return contacts.add_contact(
            db(),
            context(api_user()),
            _contacts_of(org_id),
            name=args["name"],
            email=args["email"],
            function=args["function"],
        )


@blp.route("/contacts/<int:contact_id>")
class ContactItem(MethodView):
    @blp.response(204)
    def delete(self, contact_id: int) -> None:
        """Remove a contact (404 for who may not see it)."""
        contacts.remove_contact(db(), context(api_user()), contact_id)


@blp.route("/organisations/<int:org_id>/join-requests")
class JoinRequests(MethodView):
    @blp.arguments(JoinIn)
    @blp.response(201, JoinRequestSchema)
    def post(self, args: dict[str, Any], org_id: int) -> Any:
        """Ask to join the organisation (a verified account that does not act for it yet)."""
        return joins.request_to_join(db(), context(api_user()), org_id, args["note"])


@blp.route("/join-requests")
class PendingJoinRequests(MethodView):
    @blp.response(200, PendingListSchema)
    def get(self) -> dict[str, Any]:
        """Pending requests you decide (all for coordinators), oldest first."""
        pending = joins.pending_for(db(), api_user())
        return {"items": [Extended(jr, evidence=joins.evidence(db(), jr).text) for jr in pending]}


@blp.route("/join-requests/<int:request_id>/approve")
class ApproveJoinRequest(MethodView):
    @blp.arguments(ApproveIn)
    @blp.response(200, JoinRequestSchema)
    def post(self, args: dict[str, Any], request_id: int) -> Any:
        """Grant the membership (applicant unless `role` says partner_rep) and a contact."""
        return joins.approve(db(), context(api_user()), request_id, args["role"])


@blp.route("/join-requests/<int:request_id>/refuse")
class RefuseJoinRequest(MethodView):
    @blp.arguments(RefuseIn)
    @blp.response(200, JoinRequestSchema)
    def post(self, args: dict[str, Any], request_id: int) -> Any:
        """Refuse with a reason, which the requester is told."""
        return joins.refuse(db(), context(api_user()), request_id, args["reason"])

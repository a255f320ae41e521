"""The members of a suggested consortium, as the consortium page edits them: list the seats
(with the offers of open ones), add an organisation found by search (`GET /organisations`),
swap a member for an alternate or anyone, lock / unlock / remove / restore, refill the
seats, finalise. Each endpoint calls the use case the web page calls (services.consortia
review, seats, invitations): a refusal in the object's state is a 409, bad input a 422."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields

from models.consortia import INVITATION_STATES
from services import policies
from services.consortia import invitations, seats
from services.consortia import review as consortium_review
from services.core.config import Settings
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.invitations import InvitationSchema
from webapp.api.matches import MemberSchema
from webapp.api.schemas import VALID_ID, Extended
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_members", "", "Members of a suggested consortium: the review loop")
ACTIONS = tuple(consortium_review.PAST_TENSE)  # lock, unlock, remove, restore


def _instance() -> Any:
    settings: Settings = current_app.config["SETTINGS"]
    return settings.instance_path


class OfferSchema(Schema):
    organisation_id = fields.Function(
        lambda o: o.organisation.id, required=True, metadata={"type": "integer"}
    )
    organisation_name = fields.Function(
        lambda o: o.organisation.display_name, required=True, metadata={"type": "string"}
    )
    score = fields.Float(required=True)
    breaks = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Rules the organisation would leave unmet in this seat"},
    )


class SeatSchema(MemberSchema):
    open = fields.Boolean(
        required=True,
        metadata={"description": "The seat can go to another organisation (swap into it)"},
    )
    invitation_status = fields.String(
        allow_none=True, required=True, metadata={"enum": [*INVITATION_STATES, None]}
    )
    offers = fields.List(
        fields.Nested(OfferSchema),
        required=True,
        metadata={"description": "Who could take an open seat, best first (editors only)"},
    )


class MemberListSchema(Schema):
    request_id = fields.Integer(required=True)
    finalised = fields.Boolean(required=True)
    members = fields.List(
        fields.Nested(SeatSchema),
        required=True,
        metadata={"description": "Every seat: holding, removed or declined"},
    )
    alternates = fields.List(fields.Nested(MemberSchema), required=True)


class PlacementSchema(Schema):
    member = fields.Nested(MemberSchema, required=True)
    replaced_id = fields.Function(
        lambda p: p.replaced.id if p.replaced is not None else None,
        required=True,
        metadata={"type": ["integer", "null"], "description": "The member whose seat it took"},
    )
    invitation = fields.Nested(
        InvitationSchema,
        allow_none=True,
        required=True,
        metadata={"description": "After finalising, the newcomer is invited at once"},
    )


class PlaceArgs(Schema):
    organisation_id = fields.Integer(required=True, validate=VALID_ID)
    replace = fields.Integer(
        allow_none=True,
        validate=VALID_ID,
        metadata={"description": "A member id: take its seat (omit for an extra seat)"},
    )


class SwapArgs(Schema):
    organisation_id = fields.Integer(
        required=True,
        validate=VALID_ID,
        metadata={"description": "An alternate of the seat, or any organisation found"},
    )


class FinaliseSchema(Schema):
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)


def member_list(request_id: int) -> Extended:
    """The seats of a request with their invitation and, for its editors, open-seat offers."""
    user = api_user()
    rv = consortium_review.review(db(), user, request_id)
    req = rv.request
    editor = policies.can_edit_match(user, req) and req.status == "done"
    offers = (
        seats.open_seats(db(), req) if editor or policies.can_invite_alternate(user, req) else {}
    )
    latest = invitations.invitations_of(db(), req) if req.finalised_at else {}
    rows = [
        Extended(
            m,
            open=m.id in offers,
            invitation_status=latest[m.id].status if m.id in latest else None,
            offers=offers[m.id].offers if m.id in offers else [],
        )
        for m in rv.members + rv.out
    ]
    return Extended(
        req, request_id=req.id, finalised=req.finalised_at is not None, members=rows,
        alternates=rv.alternates,
    )  # fmt: skip


@blp.route("/match-requests/<int:request_id>/members")
class Members(MethodView):
    @blp.response(200, MemberListSchema)
    def get(self, request_id: int) -> Extended:
        """The seats (with their status, invitation and the offers of open ones) and the
        ranked alternates."""
        return member_list(request_id)

    @blp.arguments(PlaceArgs)
    @blp.response(201, PlacementSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, args: dict[str, Any], request_id: int) -> seats.Placement:
        """Seat an organisation found by search: in an extra seat, or in the place of
        `replace`. After finalising it is invited at once (coordinators)."""
        return seats.place(
            db(),
            context(api_user()),
            request_id,
            args["organisation_id"],
            args.get("replace"),
            _instance(),
        )


@blp.route("/match-requests/<int:request_id>/members/<int:member_id>/swap")
class Swap(MethodView):
    @blp.arguments(SwapArgs)
    @blp.response(200, PlacementSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, args: dict[str, Any], request_id: int, member_id: int) -> seats.Placement:
        """Give a member's seat (or an open one) to another organisation; after finalising,
        an open seat only, and the newcomer is invited."""
        return seats.place(
            db(), context(api_user()), request_id, args["organisation_id"], member_id, _instance()
        )


@blp.route(
    f"/match-requests/<int:request_id>/members/<int:member_id>/<any({','.join(ACTIONS)}):action>"
)
class MemberAction(MethodView):
    @blp.response(200, MemberSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, request_id: int, member_id: int, action: str) -> Any:
        """Lock (kept when refilling), unlock, remove (the seat opens) or restore a member."""
        return consortium_review.set_status(
            db(), context(api_user()), request_id, member_id, action
        )


@blp.route("/match-requests/<int:request_id>/refill")
class Refill(MethodView):
    @blp.response(200, MemberListSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, request_id: int) -> Extended:
        """Refill the seats: locked members and your own picks kept, removed ones left out
        (before finalising)."""
        consortium_review.reoptimise(db(), context(api_user()), request_id, _instance())
        return member_list(request_id)


@blp.route("/match-requests/<int:request_id>/finalise")
class Finalise(MethodView):
    @blp.response(200, FinaliseSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, request_id: int) -> dict[str, Any]:
        """Freeze the members and invite each (coordinators). A member whose organisation has
        nobody to invite gets an invitation `no_contact`: its seat is open."""
        return {"invitations": invitations.finalise(db(), context(api_user()), request_id)}

"""Pledges: a partner's drafts, submission and withdrawal; coordinators confirm or reject.
Amounts are strings in JSON, parsed strictly by the same service as the web form."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models import Pledge
from models.pledges import BREAKDOWN_FIELDS, PLEDGE_KINDS, PLEDGE_STATES
from services.pledges import decisions as pledge_decisions
from services.pledges import lifecycle as pledges
from services.pledges.parsing import YEAR_MAX, YEAR_MIN
from services.topics import content as topics
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import VALID_ID, CursorArgs, MoneyIn, PageSchema, money, one_of
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_pledges", "/pledges", "Pledges: partner contributions to topics")


class PledgeSchema(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    kind = one_of(PLEDGE_KINDS, required=True)
    status = one_of(PLEDGE_STATES, required=True)
    amount = money()
    personnel = money(nullable=True)
    consumables = money(nullable=True)
    equipment = money(nullable=True)
    samples = money(nullable=True)
    subcontracting = money(nullable=True)
    other = money(nullable=True)
    third_country_costs = money()
    contributing_entity = fields.String(
        required=True,
        metadata={"description": "An affiliated entity's legal name; empty: the organisation"},
    )
    start_year = fields.Integer(allow_none=True, required=True)
    end_year = fields.Integer(allow_none=True, required=True)
    note = fields.String(required=True)
    eu_match = money(nullable=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class PledgePageSchema(PageSchema):
    items = fields.List(fields.Nested(PledgeSchema), required=True)


class DecisionSchema(Schema):
    pledge = fields.Nested(PledgeSchema, required=True)
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Programme rules the topic's pledges now break (not refusals)"},
    )


class PledgeListArgs(CursorArgs):
    topic_id = fields.Integer(validate=VALID_ID)
    organisation_id = fields.Integer(validate=VALID_ID)
    status = fields.String(validate=validate.OneOf(PLEDGE_STATES))


def _part(description: str = "") -> MoneyIn:
    return MoneyIn(as_decimal=False, allow_none=True, metadata={"description": description})


class PledgeCreateSchema(Schema):
    topic_id = fields.Integer(required=True, validate=VALID_ID)
    organisation_id = fields.Integer(required=True, validate=VALID_ID)
    kind = fields.String(required=True, validate=validate.OneOf(PLEDGE_KINDS))
    amount = MoneyIn(as_decimal=False, required=True)
    personnel = _part("In kind: the breakdown must add up to the amount, to the cent")
    consumables = _part()
    equipment = _part()
    samples = _part()
    subcontracting = _part()
    other = _part()
    third_country_costs = _part("IKOP only: part of the amount spent in third countries")
    contributing_entity = fields.String(
        load_default="",
        validate=validate.Length(max=300),
        metadata={"description": "An affiliated entity's legal name; omit for the organisation"},
    )
    start_year = fields.Integer(allow_none=True, validate=validate.Range(YEAR_MIN, YEAR_MAX))
    end_year = fields.Integer(allow_none=True, validate=validate.Range(YEAR_MIN, YEAR_MAX))
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class ReasonSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


def _form_data(args: dict[str, Any]) -> dict[str, Any]:
    """The body in the shape of the web form, for the same parser (services.pledge_input)."""
    data: dict[str, Any] = {
        name: args.get(name) or ""
        for name in ("kind", "amount", *BREAKDOWN_FIELDS, "third_country_costs", "note")
    }
    entity = args.get("contributing_entity", "").strip()
    data["entity"] = "affiliated" if entity else "self"
    data["affiliated_entity"] = entity
    for name in ("start_year", "end_year"):
        data[name] = "" if args.get(name) is None else str(args[name])
    return data


@blp.route("")
class Pledges(MethodView):
    @blp.arguments(PledgeListArgs, location="query")
    @blp.response(200, PledgePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Pledges the user may read: their organisations' (partner representatives) or all
        (coordinators); `topic_id` gives one topic's (404 if the topic is not visible)."""
        user = api_user()
        if args.get("topic_id") is not None:
            topics.get_topic(db(), user, args["topic_id"])
        query = pledges.visible_pledges(
            user,
            topic_id=args.get("topic_id"),
            organisation_id=args.get("organisation_id"),
            status=args.get("status"),
        )
        items, next_cursor = cursor_page(db(), query, Pledge.id, args.get("cursor"), args["limit"])
        return {"items": items, "next_cursor": next_cursor}

    @blp.arguments(PledgeCreateSchema)
    @blp.response(201, PledgeSchema)
    def post(self, args: dict[str, Any]) -> Pledge:
        """A draft pledge of one of the user's organisations (partner representatives)."""
        return pledges.create_pledge(
            db(),
            context(api_user()),
            topic_id=args["topic_id"],
            organisation_id=args["organisation_id"],
            data=_form_data(args),
        )


@blp.route("/<int:pledge_id>")
class PledgeItem(MethodView):
    @blp.response(200, PledgeSchema)
    def get(self, pledge_id: int) -> Pledge:
        return pledges.get_pledge(db(), api_user(), pledge_id)


@blp.route("/<int:pledge_id>/submit")
class Submit(MethodView):
    @blp.response(200, PledgeSchema)
    def post(self, pledge_id: int) -> Pledge:
        """Send a draft to the programme office."""
        pledge = pledges.get_pledge(db(), api_user(), pledge_id)
        return pledges.submit_pledge(db(), context(api_user()), pledge)


@blp.route("/<int:pledge_id>/withdraw")
class Withdraw(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, PledgeSchema)
    def post(self, args: dict[str, Any], pledge_id: int) -> Pledge:
        """Withdraw a pledge (a confirmed one needs a reason; its EU match is released)."""
        pledge = pledges.get_pledge(db(), api_user(), pledge_id)
        return pledges.withdraw_pledge(
            db(),
            context(api_user()),
            pledge,
            reason=args["reason"],
        )


@blp.route("/<int:pledge_id>/confirm")
class Confirm(MethodView):
    @blp.response(200, DecisionSchema)
    def post(self, pledge_id: int) -> pledge_decisions.Decision:
        """Confirm a submitted pledge (coordinators): grants its EU match."""
        pledges.get_pledge(db(), api_user(), pledge_id)
        return pledge_decisions.confirm_pledge(db(), context(api_user()), pledge_id)


@blp.route("/<int:pledge_id>/reject")
class Reject(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, DecisionSchema)
    def post(self, args: dict[str, Any], pledge_id: int) -> pledge_decisions.Decision:
        """Reject a submitted pledge with a reason (coordinators)."""
        pledges.get_pledge(db(), api_user(), pledge_id)
        return pledge_decisions.reject_pledge(
            db(),
            context(api_user()),
            pledge_id,
            reason=args["reason"],
        )

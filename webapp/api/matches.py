"""Match requests: ask for consortium suggestions for a topic, follow their status, read the
result (members with their explanations, ranked alternates, eligibility checks)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from models import MatchRequest
from models.consortia import MATCH_STATES, MEMBER_STATES
from services.consortia import jobs
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.consortia.params import PARAMS, Param
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import CursorArgs, Extended, PageSchema, one_of
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_matches", "", "Consortium suggestions (match requests)")


def _param_field(param: Param) -> fields.Field:
    """A parameter as a typed JSON field whose bounds are documented from the declaration;
    the service checks them (``params.validate``), so its field errors are the 422's."""
    about = {"description": param.help} if param.help else {}
    if param.kind == "whole":
        bounds: dict[str, float] = {"minimum": param.lo, "maximum": param.hi}
        return fields.Integer(allow_none=param.nullable, metadata={**bounds, **about})
    if param.kind == "share":
        bounds = {"minimum": float(param.lo), "maximum": float(param.hi)}
        return fields.Float(allow_nan=False, metadata={**bounds, **about})
    if param.kind == "choice":
        return fields.String(metadata={"enum": list(param.values), **about})
    if param.kind == "seats":
        seats = fields.Integer(metadata={"minimum": param.lo, "maximum": param.hi})
        return fields.Dict(keys=fields.String(), values=seats, metadata=about)
    org_id = fields.Integer(metadata={"minimum": param.lo, "maximum": param.hi})
    return fields.List(org_id, metadata={"maxItems": param.max_items, **about})


# Everything optional: missing values come from the topic's desired consortium.
MatchParamsSchema = Schema.from_dict(
    {name: _param_field(param) for name, param in PARAMS.items()}, name="MatchParamsSchema"
)


class MatchRequestSchema(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    requested_by_id = fields.Integer(allow_none=True, required=True)
    status = one_of(MATCH_STATES, required=True)
    progress = fields.Integer(required=True, metadata={"minimum": 0, "maximum": 100})
    error = fields.String(required=True)
    params = fields.Dict(required=True, metadata={"description": "Parameters as normalised"})
    summary = fields.Dict(required=True, metadata={"description": "Solver figures when done"})
    index_version_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)
    finalised_at = fields.DateTime(allow_none=True, required=True)
    attempts = fields.Integer(
        required=True,
        metadata={"description": "Runs by a worker; above 1 the run was retried after a "
                  "worker stopped"},
    )  # fmt: skip
    cancel_requested_at = fields.DateTime(
        allow_none=True,
        required=True,
        metadata={"description": "Set while a cancelled run stops at its next checkpoint"},
    )


class CreatedMatchSchema(MatchRequestSchema):
    reused = fields.Boolean(
        required=True,
        metadata={"description": "True when the same inputs were asked before (stored result)"},
    )


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.Function(
        lambda m: m.organisation.display_name, required=True, metadata={"type": "string"}
    )
    country = fields.Function(
        lambda m: m.organisation.country, required=True, metadata={"type": "string"}
    )
    sector = fields.Function(
        lambda m: m.organisation.sector, required=True, metadata={"type": "string"}
    )
    rank = fields.Integer(required=True)
    is_alternate = fields.Boolean(required=True)
    score = fields.Float(required=True)
    status = one_of(MEMBER_STATES, required=True)
    explanation = fields.Dict(
        required=True,
        metadata={
            "description": "Why it fits: fit, reasons, top_projects [id, title, score], "
            "top_terms, constraint, alternates [organisation id, score], source"
        },
    )


class CheckSchema(Schema):
    label = fields.String(required=True)
    ok = fields.Boolean(required=True)
    detail = fields.String(required=True)


class MatchResultSchema(MatchRequestSchema):
    members = fields.List(fields.Nested(MemberSchema), required=True)
    alternates = fields.List(fields.Nested(MemberSchema), required=True)
    out = fields.List(
        fields.Nested(MemberSchema),
        required=True,
        metadata={"description": "Members removed or declined"},
    )
    checks = fields.List(fields.Nested(CheckSchema), required=True)
    eligible = fields.Boolean(required=True)
    total_score = fields.Float(required=True)


class MatchPageSchema(PageSchema):
    items = fields.List(fields.Nested(MatchRequestSchema), required=True)


@blp.route("/topics/<int:topic_id>/match-requests")
class TopicMatches(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, MatchPageSchema)
    def get(self, args: dict[str, Any], topic_id: int) -> dict[str, Any]:
        """The topic's match requests, newest first (coordinators, the topic's SGG)."""
        topic = consortia.get_topic(db(), api_user(), topic_id)
        items, next_cursor = cursor_page(
            db(),
            consortia.visible_requests(db(), api_user(), topic.id),
            MatchRequest.id,
            args.get("cursor"),
            args["limit"],
            descending=True,
        )
        return {"items": items, "next_cursor": next_cursor}

    @blp.arguments(MatchParamsSchema)
    @blp.response(201, CreatedMatchSchema)
    def post(self, args: dict[str, Any], topic_id: int) -> Extended:
        """Ask for suggestions; the same inputs return the stored request (`reused`)."""
        req, reused = consortia.request_match(db(), context(api_user()), topic_id, args)
        return Extended(req, reused=reused)


@blp.route("/match-requests/<int:request_id>")
class MatchItem(MethodView):
    @blp.response(200, MatchResultSchema)
    def get(self, request_id: int) -> Extended:
        """Status, and once done the members with explanations, alternates and checks."""
        rv = consortium_review.review(db(), api_user(), request_id)
        return Extended(
            rv.request,
            members=rv.members,
            alternates=rv.alternates,
            out=rv.out,
            checks=rv.checks,
            eligible=rv.eligible,
            total_score=rv.total_score,
        )


@blp.route("/match-requests/<int:request_id>/cancel")
class CancelMatch(MethodView):
    @blp.response(200, MatchRequestSchema)
    def post(self, request_id: int) -> MatchRequest:
        """Cancel a queued or running request (who asked for it, or a coordinator): a queued
        one is `cancelled` at once, a running one stops at its next checkpoint (until then
        `cancel_requested_at` is set). 409 when it has finished."""
        return jobs.cancel_match(db(), context(api_user()), request_id)

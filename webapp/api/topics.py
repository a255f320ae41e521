"""Call topics: list (visibility-filtered like the web list), read, propose, edit with
optimistic locking, lifecycle transitions and their history."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models import Topic
from models.organisations import SECTORS
from models.topics import TOPIC_STATES
from services.topics import content as topics
from services.topics import lifecycle
from services.topics import listing as topic_list
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.api.pagination import cursor_page
from webapp.api.schemas import (
    VALID_ID,
    CursorArgs,
    Extended,
    MoneyIn,
    PageSchema,
    ShareIn,
    ShareOut,
    money,
    one_of,
)
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_topics", "/topics", "Call topics and their lifecycle")

TARGET_DESCRIPTION = (
    "Desired members per sector: a whole number of members, or a share of the consortium "
    'as a decimal string ("0.3000").'
)


class TransitionOptionSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    target = one_of(TOPIC_STATES, required=True)
    allowed = fields.Boolean(required=True)
    refusal = fields.String(allow_none=True, required=True)


class TopicSchema(Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    sgg_id = fields.Integer(required=True)
    area_id = fields.Integer(allow_none=True, required=True)
    call_id = fields.Integer(allow_none=True, required=True)
    identifier = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    status = one_of(TOPIC_STATES, required=True)
    challenge = fields.String(required=True)
    scope = fields.String(required=True)
    expected_outcomes = fields.String(required=True)
    expected_impact = fields.String(required=True)
    keywords = fields.String(required=True)
    eu_contribution = money(nullable=True)
    industry_contribution = money(nullable=True)
    duration_months = fields.Integer(allow_none=True, required=True)
    consortium_size_min = fields.Integer(allow_none=True, required=True)
    consortium_size_max = fields.Integer(allow_none=True, required=True)
    min_countries = fields.Integer(allow_none=True, required=True)
    sme_share = ShareOut(allow_none=True, required=True)
    sector_targets = fields.Dict(
        keys=fields.String(validate=validate.OneOf(SECTORS)),
        values=fields.Raw(),
        required=True,
        metadata={"description": TARGET_DESCRIPTION},
    )
    industry_partner_ids = fields.Method(
        "_partners", required=True, metadata={"type": "array", "items": {"type": "integer"}}
    )
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with an edit (optimistic locking)"}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)

    def _partners(self, topic: Topic) -> list[int]:
        return sorted(p.organisation_id for p in topic.industry_partners)


class TopicDetailSchema(TopicSchema):
    transitions = fields.List(
        fields.Nested(TransitionOptionSchema),
        required=True,
        metadata={"description": "Transitions the token's user holds the role for, and why "
                  "each is blocked (refusal) if it is"},
    )  # fmt: skip
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Not refusals: e.g. another topic of the programme that the "
                  "user may see has the same title (case and spacing aside)"},
    )  # fmt: skip


class TopicPageSchema(PageSchema):
    items = fields.List(fields.Nested(TopicSchema), required=True)


class TopicListArgs(CursorArgs):
    status = fields.String(validate=validate.OneOf(TOPIC_STATES))
    sgg = fields.Integer(validate=VALID_ID)
    area = fields.Integer(validate=VALID_ID)
    call = fields.Integer(validate=VALID_ID)
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words"})


class TopicContentSchema(Schema):
    """The editable content; every field optional (an edit changes only what it sends)."""

    title = fields.String(validate=validate.Length(min=1, max=300))
    identifier = fields.String(validate=validate.Length(max=80))
    area_id = fields.Integer(allow_none=True, validate=VALID_ID)
    call_id = fields.Integer(allow_none=True, validate=VALID_ID)
    challenge = fields.String(validate=validate.Length(max=50_000))
    scope = fields.String(validate=validate.Length(max=50_000))
    expected_outcomes = fields.String(validate=validate.Length(max=50_000))
    expected_impact = fields.String(validate=validate.Length(max=50_000))
    keywords = fields.String(validate=validate.Length(max=5_000))
    eu_contribution = MoneyIn(allow_none=True)
    industry_contribution = MoneyIn(allow_none=True)
    duration_months = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    consortium_size_min = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    consortium_size_max = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    min_countries = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    sme_share = ShareIn(allow_none=True)
    sector_targets = fields.Dict(
        keys=fields.String(validate=validate.OneOf(SECTORS)),
        values=fields.String(validate=validate.Length(max=10)),
        metadata={"description": 'Per sector: members ("6") or a share ("30%" or "0.3")'},
    )
    industry_partner_ids = fields.List(
        fields.Integer(validate=VALID_ID),
        validate=validate.Length(max=200),
    )


class TopicCreateSchema(TopicContentSchema):
    sgg_id = fields.Integer(required=True, validate=VALID_ID)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    note = fields.String(
        validate=validate.Length(max=300),
        load_default="",
        metadata={"description": "Kept as the note of revision 1 (default: Proposed)"},
    )


class TopicEditSchema(TopicContentSchema):
    version = fields.Integer(
        required=True,
        validate=VALID_ID,
        metadata={"description": "The version the edit was made on; a stale one is a 409"},
    )
    note = fields.String(validate=validate.Length(max=300), load_default="")


class TransitionArgs(Schema):
    name = fields.String(required=True, validate=validate.OneOf(list(lifecycle.TRANSITIONS)))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class TransitionSchema(Schema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    name = fields.String(required=True)
    from_state = one_of(TOPIC_STATES, required=True)
    to_state = one_of(TOPIC_STATES, required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    comment = fields.String(required=True)
    at = fields.DateTime(required=True)


class TransitionListSchema(Schema):
    items = fields.List(fields.Nested(TransitionSchema), required=True)


CONTENT_NAMES = [f.name for f in dataclass_fields(topics.TopicContent)]


def _content(topic: Topic | None, args: dict[str, Any]) -> topics.TopicContent:
    """The topic's current content with what the client sent laid over it."""
    current: dict[str, Any] = {}
    if topic is not None:
        current = {n: getattr(topic, n) for n in CONTENT_NAMES if n != "industry_partner_ids"}
        current["identifier"] = topic.identifier or ""
        current["sector_targets"] = dict(topic.sector_targets or {})
        current["industry_partner_ids"] = [p.organisation_id for p in topic.industry_partners]
    current.update({k: v for k, v in args.items() if k in CONTENT_NAMES})
    return topics.TopicContent(**current)


def _detail(topic: Topic) -> Extended:
    user = api_user()
    options = []
    for t in lifecycle.available(user, topic):
        why = lifecycle.refusal(user, topic, t.name, "comment")
        options.append(
            {
                "name": t.name,
                "label": t.label,
                "target": t.target,
                "allowed": why is None,
                "refusal": why.message if why else None,
            }
        )
    warnings = topics.title_warnings(db(), user, topic.programme_id, topic.title, topic.id)
    return Extended(topic, transitions=options, warnings=warnings)


@blp.route("")
class Topics(MethodView):
    @blp.arguments(TopicListArgs, location="query")
    @blp.response(200, TopicPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Topics the token's user may see (same rule as the web list), oldest first."""
        filters = topic_list.TopicFilters(
            status=args.get("status"),
            sgg_id=args.get("sgg"),
            area_id=args.get("area"),
            call_id=args.get("call"),
            q=args.get("q", ""),
        )
        items, next_cursor = cursor_page(
            db(),
            topic_list.topic_query(api_user(), filters),
            Topic.id,
            args.get("cursor"),
            args["limit"],
        )
        return {"items": items, "next_cursor": next_cursor}

    @blp.arguments(TopicCreateSchema)
    @blp.response(201, TopicDetailSchema)
    def post(self, args: dict[str, Any]) -> Extended:
        """Propose a topic idea (members of the SGG, coordinators)."""
        topic = topics.create_topic(
            db(), context(api_user()), args["sgg_id"], _content(None, args), args["note"]
        )
        return _detail(topic)


@blp.route("/<int:topic_id>")
class TopicItem(MethodView):
    @blp.response(200, TopicDetailSchema)
    def get(self, topic_id: int) -> Extended:
        """One topic; 404 when it does not exist or the user may not see it."""
        return _detail(topics.get_topic(db(), api_user(), topic_id))

    @blp.arguments(TopicEditSchema)
    @blp.response(200, TopicDetailSchema)
    def patch(self, args: dict[str, Any], topic_id: int) -> Extended:
        """Edit the content; send the `version` you read (a stale one is refused with 409)."""
        session = db()
        topic = topics.get_topic(session, api_user(), topic_id)
        topics.update_topic(
            session,
            context(api_user()),
            topic,
            _content(topic, args),
            args["version"],
            args["note"],
        )
        return _detail(topic)


@blp.route("/<int:topic_id>/transitions")
class Transitions(MethodView):
    @blp.response(200, TransitionListSchema)
    def get(self, topic_id: int) -> dict[str, Any]:
        """The topic's lifecycle history, oldest first."""
        session = db()
        topic = topics.get_topic(session, api_user(), topic_id)
        return {"items": lifecycle.history(session, topic)}

    @blp.arguments(TransitionArgs)
    @blp.response(201, TransitionSchema)
    def post(self, args: dict[str, Any], topic_id: int) -> Any:
        """Move the topic along its lifecycle; a refusal is a 409 (state, requirements) or
        403 (role) problem with the reason."""
        session = db()
        topic = topics.get_topic(session, api_user(), topic_id)
        return lifecycle.transition(
            session, context(api_user()), topic, args["name"], args["comment"]
        )

"""Which topics a user may see, as SQL: the condition ``can_view_topic`` decides in Python,
for queries (lists, counts, joins), and its bound form that statements built once share."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from models import ProgrammeReviewer, Topic, TopicIndustryPartner, TopicReview, User
from services.policies.programme import (
    INDUSTRY_STATES,
    PUBLISHED_STATES,
    is_coordinator,
    is_signed_in,
    organisation_ids,
    sgg_ids,
)


def topic_visibility_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``Topic`` selecting exactly the topics ``can_view_topic`` allows."""
    shape = topic_visibility_shape(user)
    clause = bound_topic_visibility_clause(shape)
    return clause if shape[0] != "some" else clause.params(topic_visibility_params(user))


VisibilityShape = tuple[str, bool, bool]


def topic_visibility_shape(user: User | None) -> VisibilityShape:
    """What decides the form of ``topic_visibility_clause(user)``: ("none"|"all"|"some",
    has SGGs, represents partners). Users of one shape share one prebuilt statement
    (:func:`bound_topic_visibility_clause`) that differs only in its parameters."""
    if not is_signed_in(user):
        return ("none", False, False)
    if is_coordinator(user):
        return ("all", False, False)
    return ("some", bool(sgg_ids(user)), bool(organisation_ids(user, "partner_rep")))


def topic_visibility_params(user: User | None) -> dict[str, Any]:
    """The parameters of :func:`bound_topic_visibility_clause` for ``user``."""
    if user is None:
        return {"vis_user": 0, "vis_sggs": [], "vis_orgs": []}
    return {
        "vis_user": user.id,
        "vis_sggs": sorted(sgg_ids(user)),
        "vis_orgs": sorted(organisation_ids(user, "partner_rep")),
    }


@lru_cache(maxsize=8)
def bound_topic_visibility_clause(shape: VisibilityShape) -> ColumnElement[bool]:
    """``topic_visibility_clause`` of any user of ``shape``, the user's ids as bound
    parameters (``topic_visibility_params``): built once per shape, the statement around it
    can be built once too (building one cost a list page about 3 ms of its 15)."""
    kind, has_sggs, has_orgs = shape
    if kind == "none":
        return false()
    if kind == "all":
        return true()
    user_id: BindParameter[int] = bindparam("vis_user")
    conditions: list[ColumnElement[bool]] = [Topic.status.in_(PUBLISHED_STATES)]
    if has_sggs:
        conditions.append(Topic.sgg_id.in_(bindparam("vis_sggs", expanding=True)))
    if has_orgs:
        partner = aliased(TopicIndustryPartner)
        conditions.append(
            and_(
                Topic.status.in_(INDUSTRY_STATES),
                exists().where(
                    partner.topic_id == Topic.id,
                    partner.organisation_id.in_(bindparam("vis_orgs", expanding=True)),
                ),
            )
        )
    conditions.append(
        and_(
            Topic.status == "consultation",
            exists().where(
                ProgrammeReviewer.programme_id == Topic.programme_id,
                ProgrammeReviewer.user_id == user_id,
            ),
        )
    )
    conditions.append(
        exists().where(TopicReview.topic_id == Topic.id, TopicReview.reviewer_id == user_id)
    )
    return or_(*conditions)


def topic_id_visibility_clause(user: User | None, topic_id: Any) -> ColumnElement[bool]:
    """SQL condition on a topic id column: the topic is one ``can_view_topic`` allows.
    No subquery for who sees every topic, so a count needs no join to the topics."""
    if is_signed_in(user) and is_coordinator(user):
        return true()
    visible: ColumnElement[bool] = topic_id.in_(
        select(Topic.id).where(topic_visibility_clause(user))
    )
    return visible

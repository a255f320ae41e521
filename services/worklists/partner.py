"""A partner representative's queues: their organisations' pledges by state, and the
published topics of their areas that are open for a pledge from them.

"Their areas" are the scientific areas of the topics their organisations pledge to or help
write (industry consortium); with none yet, every open topic is offered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, case, exists, literal, or_, select, union
from sqlalchemy.orm import Session

from models import (
    Call,
    Organisation,
    PartnerApplication,
    Pledge,
    ScientificArea,
    Topic,
    TopicIndustryPartner,
    User,
)
from models.pledges import PLEDGE_KIND_LABELS, PLEDGE_STATES
from services import policies
from services.pledges.lifecycle import PLEDGEABLE_STATES
from services.worklists.items import Item, Link, Queue, Section, grouped, money, single
from services.worklists.queries import ranked

PLEDGE_STATE_LABELS = {s: s.capitalize() for s in PLEDGE_STATES}
PLEDGE_ACTIONS = {
    "draft": "Complete it and submit it to the programme office",
    "submitted": "The programme office decides on it",
    "confirmed": "Confirmed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
# A pledge that counts: another one to the same topic is not what the queue proposes.
LIVE_PLEDGE_STATES = ("draft", "submitted", "confirmed")
OPEN_STATES = [s for s in PLEDGEABLE_STATES if s in policies.PUBLISHED_STATES]
HIDDEN_TOPIC = "a topic you can no longer open"


def _orgs(user: User) -> list[int]:
    return sorted(policies.organisation_ids(user, "partner_rep"))


def my_pledges(session: Session, user: User) -> Queue:
    visible = policies.topic_visibility_clause(user)
    stmt = (
        select(
            Pledge.id,
            Pledge.amount,
            Pledge.kind,
            Pledge.updated_at.label("since"),
            case((visible, Topic.title), else_=literal(None)).label("topic"),
            Organisation.legal_name.label("org"),
        )
        .join(Topic, Topic.id == Pledge.topic_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(policies.pledge_visibility_clause(user), Pledge.organisation_id.in_(_orgs(user)))
    )
    rows = ranked(session, stmt, [Pledge.updated_at.desc(), Pledge.id.desc()], Pledge.status)

    def item(r: Row[Any]) -> Item:
        return Item(
            r.topic or HIDDEN_TOPIC,
            PLEDGE_ACTIONS[r.group],
            Link("pledges.detail", {"pledge_id": r.id}),
            f"{money(r.amount)} · {PLEDGE_KIND_LABELS[r.kind]} · {r.org}",
            since=r.since,
        )

    return Queue(
        "my-pledges",
        "My organisations' pledges",
        "pledge",
        "pledges",
        "Your organisations have no pledges yet.",
        grouped(rows, PLEDGE_STATE_LABELS.__getitem__, item, list(PLEDGE_STATES)),
        since_word="in this state for {}",
        more=Link("pledges.mine"),
    )


def open_topics(session: Session, user: User) -> Queue:
    """Published topics still taking pledges, in programmes where one of the user's
    organisations may pledge, in their areas, that none of them pledges to yet."""
    orgs = _orgs(user)
    areas = union(
        select(Topic.area_id)
        .join(TopicIndustryPartner, TopicIndustryPartner.topic_id == Topic.id)
        .where(TopicIndustryPartner.organisation_id.in_(orgs), Topic.area_id.is_not(None)),
        select(Topic.area_id)
        .join(Pledge, Pledge.topic_id == Topic.id)
        .where(
            Pledge.organisation_id.in_(orgs),
            Pledge.status.in_(LIVE_PLEDGE_STATES),
            Topic.area_id.is_not(None),
        ),
    ).subquery()
    member = exists().where(Organisation.id.in_(orgs), Organisation.is_efpia_member.is_(True))
    approved = select(PartnerApplication.programme_id).where(
        PartnerApplication.organisation_id.in_(orgs), PartnerApplication.status == "approved"
    )
    pledged = exists().where(
        Pledge.topic_id == Topic.id,
        Pledge.organisation_id.in_(orgs),
        Pledge.status.in_(LIVE_PLEDGE_STATES),
    )
    stmt = (
        select(
            Topic.id,
            Topic.title,
            ScientificArea.name.label("area"),
            Call.identifier.label("call"),
            Call.stage1_deadline.label("due"),
        )
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .outerjoin(Call, Call.id == Topic.call_id)
        .where(
            policies.topic_visibility_clause(user),
            Topic.status.in_(OPEN_STATES),
            or_(member, Topic.programme_id.in_(approved)),
            or_(~exists(select(areas.c.area_id)), Topic.area_id.in_(select(areas.c.area_id))),
            ~pledged,
        )
    )
    rows = ranked(session, stmt, [Call.stage1_deadline.asc().nulls_last(), Topic.id])
    items = [
        Item(
            r.title,
            "Pledge to it",
            Link("pledges.new", {"topic_id": r.id}),
            " · ".join(x for x in (r.area, r.call and f"call {r.call}") if x),
            due=r.due,
        )
        for r in rows
    ]
    return Queue(
        "open-topics",
        "Published topics open for pledges",
        "topic",
        "topics",
        "No published topic of your areas waits for a pledge from your organisations.",
        single(rows, items),
        due_word="stage 1 deadline",
        more=Link("topics.index"),
    )


def section(session: Session, user: User) -> Section:
    return Section(
        "partner",
        "Partner representative",
        [my_pledges(session, user), open_topics(session, user)],
    )

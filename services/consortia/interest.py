"""Expressions of interest: an organisation flags a topic open for applications, with a
short note of what it brings; it may edit or withdraw it.

Who sees them is ``policies.can_view_interests`` (coordinators and the topic's SGG: all;
an organisation's people: their own). Coordinators are told of each new one
(topic.interest). A match request reads ``interested_ids`` when it is made (see
``services.consortia.params``): its ``interest`` option ignores, marks or prefers them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, contains_eager

from models import Organisation, Topic, TopicInterest, User
from models.base import utcnow
from models.interests import NOTE_MAX
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text
from services.notifications.notify import notify
from services.pledges.notices import coordinators

CLOSED = (
    "Interest can be expressed or edited only while the topic is open for applications (published)."
)


def clean_note(note: object) -> str:
    """The note stripped, or InvalidInput naming the ``note`` field."""
    return clean_text(note, "note", "The note", NOTE_MAX, required=False, multiline=True)


def interested_ids(session: Session, topic_id: int) -> list[int]:
    """The organisations interested in the topic (merged ones left out), by id."""
    return list(
        session.scalars(
            select(TopicInterest.organisation_id)
            .join(TopicInterest.organisation)
            .where(TopicInterest.topic_id == topic_id, Organisation.merged_into_id.is_(None))
            .order_by(TopicInterest.organisation_id)
        )
    )


def _topic(session: Session, actor: User | None, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None or not policies.can_view_topic(actor, topic):
        raise NotFound("No such topic.")
    return topic


# Built once (the topic page shows the panel on every request): every interest of the
# topic, or only those of the viewer's organisations; each with its organisation.
_INTERESTS = (
    select(TopicInterest)
    .join(TopicInterest.organisation)
    .options(contains_eager(TopicInterest.organisation))
    .where(TopicInterest.topic_id == bindparam("topic_id"))
    .order_by(Organisation.legal_name, TopicInterest.id)
)
_OWN_INTERESTS = _INTERESTS.where(
    TopicInterest.organisation_id.in_(bindparam("org_ids", expanding=True))
)


def visible_interests(session: Session, actor: User | None, topic_id: int) -> list[TopicInterest]:
    """The topic's interests ``actor`` may see: all of them, or their organisations' own."""
    topic = _topic(session, actor, topic_id)
    if policies.can_view_interests(actor, topic):
        return list(session.scalars(_INTERESTS, {"topic_id": topic.id}))
    own = sorted(policies.organisation_ids(actor))
    if not own:
        return []
    return list(session.scalars(_OWN_INTERESTS, {"topic_id": topic.id, "org_ids": own}))


@dataclass
class Panel:
    """What the topic page shows of interest: the visible ones, and the viewer's choices."""

    topic: Topic
    interests: list[TopicInterest]
    sees_all: bool
    # The viewer's organisations that may express interest, or have: (organisation, interest).
    mine: list[tuple[Organisation, TopicInterest | None]]
    open: bool  # interest can be expressed or edited now

    @property
    def shown(self) -> bool:
        return self.sees_all or bool(self.mine)


def panel(session: Session, actor: User | None, topic: Topic) -> Panel:
    interests = visible_interests(session, actor, topic.id)
    by_org = {i.organisation_id: i for i in interests}
    own = policies.organisation_ids(actor)
    orgs = (
        session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(own))
            .where(Organisation.merged_into_id.is_(None))
            .order_by(Organisation.legal_name)
        )
        if own  # most viewers of a topic (the programme office, SGG members) have none
        else ()
    )
    mine = [
        (o, by_org.get(o.id))
        for o in orgs
        if policies.can_express_interest(actor, topic, o) or o.id in by_org
    ]
    sees_all = policies.can_view_interests(actor, topic)
    return Panel(topic, interests, sees_all, mine, topic.status in policies.INTEREST_STATES)


def get_interest(session: Session, actor: User | None, interest_id: int) -> TopicInterest:
    """An interest ``actor`` may see; others are reported missing (no existence leak)."""
    interest = session.get(TopicInterest, interest_id)
    if interest is None or not policies.can_view_topic(actor, interest.topic):
        raise NotFound("No such expression of interest.")
    if not (
        policies.can_view_interests(actor, interest.topic)
        or policies.is_organisation_member(actor, interest.organisation_id)
    ):
        raise NotFound("No such expression of interest.")
    return interest


def express_interest(
    session: Session, ctx: RequestContext, topic_id: int, organisation_id: int, note: object
) -> TopicInterest:
    """Flag the topic for one of the actor's organisations; coordinators are told."""
    actor = ctx.user
    topic = _topic(session, actor, topic_id)
    org = session.get(Organisation, organisation_id)
    if org is None or not policies.is_organisation_member(actor, organisation_id):
        raise PermissionDenied("You can express interest only for your own organisations.")
    if org.merged_into_id is not None:
        raise InvalidInput("This organisation was merged into another; act for that one.")
    if not policies.can_express_interest(actor, topic, org):
        raise Conflict(CLOSED)
    text = clean_note(note)
    existing = session.scalar(
        select(TopicInterest).where(
            TopicInterest.topic_id == topic.id, TopicInterest.organisation_id == org.id
        )
    )
    if existing is not None:
        raise Conflict(f"{org.display_name} has already expressed interest; edit its note.")
    interest = TopicInterest(
        topic_id=topic.id, organisation_id=org.id, note=text, created_by_id=actor.id
    )
    session.add(interest)
    session.flush()
    audit.record(
        session,
        actor,
        "topic.interest_expressed",
        interest,
        ip=ctx.client_ip,
        topic_id=topic.id,
        organisation_id=org.id,
    )
    notify(
        session,
        "topic.interest",
        coordinators(session),
        subject=f"{org.display_name} is interested in {topic.title}",
        summary=f"{org.display_name} ({org.country}) expressed interest"
        + (f": {text}" if text else "."),
        link=ctx.link(f"/topics/{topic.id}#interest"),
        obj=topic,
        exclude=actor,
    )
    return interest


def _own(session: Session, actor: User, interest_id: int) -> TopicInterest:
    interest = get_interest(session, actor, interest_id)
    if not policies.can_withdraw_interest(actor, interest.organisation_id):
        raise PermissionDenied("Only the organisation's own people can change its interest.")
    return interest


def edit_interest(
    session: Session, ctx: RequestContext, interest_id: int, note: object
) -> TopicInterest:
    """Change the note (while the topic is open)."""
    actor = ctx.user
    interest = _own(session, actor, interest_id)
    if not policies.can_express_interest(actor, interest.topic, interest.organisation_id):
        raise Conflict(CLOSED)
    text = clean_note(note)
    changed = audit.changes(interest, ["note"], {"note": text})
    interest.note, interest.updated_at = text, utcnow()
    session.flush()
    audit.record(
        session, actor, "topic.interest_edited", interest, ip=ctx.client_ip, changes=changed
    )
    return interest


def withdraw_interest(session: Session, ctx: RequestContext, interest_id: int) -> TopicInterest:
    """Take the interest back (at any time); suggestions made earlier keep what they used."""
    actor = ctx.user
    interest = _own(session, actor, interest_id)
    audit.record(
        session,
        actor,
        "topic.interest_withdrawn",
        interest,
        ip=ctx.client_ip,
        topic_id=interest.topic_id,
        organisation_id=interest.organisation_id,
        note=interest.note,
    )
    session.delete(interest)
    session.flush()
    return interest

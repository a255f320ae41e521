"""The programme office's queues: topics to screen or approve, pledges to confirm, partner
applications, consortium suggestions done or failed, declined seats, reviews waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from models import (
    Invitation,
    MatchRequest,
    Organisation,
    PartnerApplication,
    Pledge,
    Programme,
    SuggestedMember,
    Topic,
    TopicReview,
    User,
)
from models.pledges import PLEDGE_KIND_LABELS
from services import policies
from services.consortia.invitations import open_invitation_seat
from services.core.statements import office_statement
from services.pledges.partners import TYPE_LABELS
from services.worklists.items import (
    SHOWN,
    Group,
    Item,
    Link,
    Queue,
    Section,
    grouped,
    money,
    single,
)
from services.worklists.queries import (
    FINISHED_TOPIC_STATES,
    entered_state,
    ranked_statement,
)

# A finished computation stays in the queue this long, unless finalised first.
RECENT_MATCH_DAYS = 14
DECIDED_HERE = {"screening": "To screen", "consultation": "To approve"}
MEMBER = aliased(SuggestedMember)
REQ = aliased(MatchRequest)  # the visibility clause correlates MatchRequest itself
REVIEWER = aliased(User)
REVIEW = aliased(TopicReview)  # the visibility clause correlates TopicReview itself


def _topics_to_decide(user: User) -> Select[Any]:
    since = entered_state()
    stmt = select(Topic.id, Topic.title, since.label("since")).where(
        policies.topic_visibility_clause(user), Topic.status.in_(list(DECIDED_HERE))
    )
    return ranked_statement(stmt, [since, Topic.id], group=Topic.status)


def topics_to_decide(session: Session, user: User) -> Queue:
    stmt = office_statement("topics-to-decide", user, lambda: _topics_to_decide(user))
    rows = list(session.execute(stmt).all())
    actions = {"screening": "Accept for drafting or send back", "consultation": "Approve"}

    def item(row: Row[Any]) -> Item:
        link = Link("topics.detail", {"topic_id": row.id}, "#moves-h")
        return Item(row.title, actions[row.group], link, since=row.since)

    return Queue(
        "topics-to-decide",
        "Topics to screen or approve",
        "topic",
        "topics",
        "No topic waits for screening or approval.",
        grouped(rows, DECIDED_HERE.__getitem__, item, list(DECIDED_HERE)),
    )


def _pledges_to_confirm(user: User) -> Select[Any]:
    waiting = (
        policies.pledge_visibility_clause(user),
        policies.topic_id_visibility_clause(user, Pledge.topic_id),
        Pledge.status == "submitted",
    )
    stmt = (
        select(
            Pledge.id,
            Pledge.amount,
            Pledge.kind,
            Pledge.updated_at.label("since"),
            Topic.title.label("topic"),
            Organisation.legal_name.label("org"),
        )
        .join(Topic, Topic.id == Pledge.topic_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(*waiting)
    )
    counted = select(func.count()).select_from(Pledge).where(*waiting)
    return ranked_statement(stmt, [Pledge.updated_at, Pledge.id], counted=counted)


def pledges_to_confirm(session: Session, user: User) -> Queue:
    """Submitted pledges, oldest first: the first rows from the (status, updated_at) index,
    the total counted on the pledges alone (thousands wait on a busy programme)."""
    stmt = office_statement("pledges-to-confirm", user, lambda: _pledges_to_confirm(user))
    rows = list(session.execute(stmt).all())
    items = [
        Item(
            f"{money(r.amount)} from {r.org}",
            "Confirm or reject",
            Link("pledges.detail", {"pledge_id": r.id}),
            f"{PLEDGE_KIND_LABELS[r.kind]} to “{r.topic}”",
            since=r.since,
        )
        for r in rows
    ]
    return Queue(
        "pledges-to-confirm",
        "Pledges to confirm",
        "pledge",
        "pledges",
        "No pledge waits for a decision.",
        single(rows, items),
    )


def _partner_applications() -> Select[Any]:
    stmt = (
        select(
            PartnerApplication.id,
            PartnerApplication.partner_type,
            PartnerApplication.created_at.label("since"),
            Organisation.legal_name.label("org"),
            Programme.code.label("programme"),
        )
        .join(Organisation, Organisation.id == PartnerApplication.organisation_id)
        .join(Programme, Programme.id == PartnerApplication.programme_id)
        .where(PartnerApplication.status == "pending")
    )
    return ranked_statement(stmt, [PartnerApplication.created_at, PartnerApplication.id])


def partner_applications(session: Session, user: User) -> Queue:
    rows = list(
        session.execute(office_statement("applications", user, _partner_applications)).all()
    )
    items = [
        Item(
            r.org,
            "Approve or reject",
            Link("pledges.applications", anchor=f"#application-{r.id}"),
            f"{TYPE_LABELS[r.partner_type]} of {r.programme}",
            since=r.since,
        )
        for r in rows
    ]
    return Queue(
        "partner-applications",
        "Partner applications",
        "application",
        "applications",
        "No partner application waits for a decision.",
        single(rows, items),
        more=Link("pledges.applications"),
    )


def _match_jobs(user: User) -> Select[Any]:
    stmt = (
        select(
            MatchRequest.id,
            MatchRequest.status,
            MatchRequest.error,
            MatchRequest.finished_at.label("since"),
            Topic.title.label("topic"),
        )
        .join(Topic, Topic.id == MatchRequest.topic_id)
        .where(
            policies.match_visibility_clause(user),
            policies.topic_visibility_clause(user),
            MatchRequest.status.in_(("done", "failed")),
            MatchRequest.finalised_at.is_(None),
            MatchRequest.finished_at >= bindparam("recent"),
        )
    )
    return ranked_statement(stmt, [MatchRequest.finished_at.desc(), MatchRequest.id.desc()])


def match_jobs(session: Session, user: User, now: datetime) -> Queue:
    """Suggestions computed (not finalised yet) or failed in the last RECENT_MATCH_DAYS."""
    stmt = office_statement("match-jobs", user, lambda: _match_jobs(user))
    rows = list(session.execute(stmt, {"recent": now - timedelta(days=RECENT_MATCH_DAYS)}).all())
    items = [
        Item(
            r.topic,
            "Review and finalise" if r.status == "done" else "See why it failed",
            Link("consortia.show", {"request_id": r.id}),
            "Consortium suggestion ready"
            if r.status == "done"
            else f"Failed: {(r.error or 'no reason given').splitlines()[0][:160]}",
            since=r.since,
        )
        for r in rows
    ]
    return Queue(
        "match-jobs",
        f"Consortium suggestions of the last {RECENT_MATCH_DAYS} days",
        "suggestion",
        "suggestions",
        "No consortium suggestion finished recently.",
        single(rows, items),
        since_word="finished {} ago",
        more=Link("consortia.index"),
    )


def _declined_invitations(user: User) -> Select[Any]:
    return (
        select(Invitation, REQ.id.label("request_id"), Topic.title.label("topic"))
        .join(REQ, REQ.id == Invitation.request_id)
        .join(Topic, Topic.id == REQ.topic_id)
        .join(MEMBER, MEMBER.id == Invitation.member_id)
        .where(
            policies.invitation_visibility_clause(user),
            policies.topic_visibility_clause(user),
            Invitation.status.in_(("declined", "expired")),
            MEMBER.status == "declined",
            REQ.closed_at.is_(None),
        )
        .options(joinedload(Invitation.member), joinedload(Invitation.organisation))
        .order_by(Invitation.responded_at, Invitation.id)
    )


def declined_invitations(session: Session, user: User) -> Queue:
    """Seats of open consortia whose invitation was declined or expired and that nobody
    took yet (``open_invitation_seat``: the replacement is recorded on the seat)."""
    stmt = office_statement("declined", user, lambda: _declined_invitations(user))
    rows = [r for r in session.execute(stmt).all() if open_invitation_seat(r[0].member, r[0])]
    items = [
        Item(
            r.topic,
            "Invite an alternate",
            Link("consortia.show", {"request_id": r.request_id}),
            f"{r[0].organisation.display_name} "
            + ("declined" if r[0].status == "declined" else "did not answer in time"),
            since=r[0].responded_at,
        )
        for r in rows[:SHOWN]
    ]
    return Queue(
        "declined-invitations",
        "Declined invitations",
        "seat to fill",
        "seats to fill",
        "No declined invitation leaves a seat open.",
        [Group("", len(rows), items)] if rows else [],
        since_word="answered {} ago",
    )


def _reviews_waiting(user: User) -> Select[Any]:
    stmt = (
        select(
            REVIEW.topic_id,
            REVIEW.coi,
            REVIEW.assigned_at.label("since"),
            REVIEW.due_at.label("due"),
            Topic.title.label("topic"),
            REVIEWER.name.label("reviewer"),
        )
        .join(Topic, Topic.id == REVIEW.topic_id)
        .join(REVIEWER, REVIEWER.id == REVIEW.reviewer_id)
        .where(
            policies.topic_visibility_clause(user),
            REVIEW.submitted_at.is_(None),
            REVIEW.coi != "conflicted",
            Topic.status.not_in(FINISHED_TOPIC_STATES),
        )
    )
    return ranked_statement(stmt, [REVIEW.assigned_at, REVIEW.id])


def reviews_waiting(session: Session, user: User) -> Queue:
    """Requested reviews not submitted yet (conflicted ones are not waiting), oldest first."""
    rows = list(
        session.execute(office_statement("reviews", user, lambda: _reviews_waiting(user))).all()
    )
    items = [
        Item(
            r.topic,
            "Remind or reassign",
            Link("topics.detail", {"topic_id": r.topic_id}, "#review"),
            f"{r.reviewer}: "
            + ("conflicts not declared yet" if r.coi == "pending" else "scores not given yet"),
            since=r.since,
            due=r.due,
        )
        for r in rows
    ]
    return Queue(
        "reviews-waiting",
        "Reviews waiting",
        "review",
        "reviews",
        "No requested review is outstanding.",
        single(rows, items),
        due_word="due",
    )


def section(session: Session, user: User, now: datetime) -> Section:
    return Section(
        "coordinator",
        "Programme office",
        [
            topics_to_decide(session, user),
            pledges_to_confirm(session, user),
            partner_applications(session, user),
            match_jobs(session, user, now),
            declined_invitations(session, user),
            reviews_waiting(session, user),
        ],
    )

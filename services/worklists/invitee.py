"""The queue of the people of an invited organisation: invitations to answer, with their
expiry."""

from __future__ import annotations

from sqlalchemy import case, literal, select
from sqlalchemy.orm import Session, aliased

from models import Invitation, MatchRequest, Organisation, Topic, User
from services import policies
from services.worklists.items import Item, Link, Queue, Section, single
from services.worklists.queries import ranked

UNPUBLISHED = "A topic not published yet"
REQ = aliased(MatchRequest)  # the visibility clause correlates MatchRequest itself


def invitations_to_answer(session: Session, user: User) -> Queue:
    """Invitations of the user's organisations waiting for an answer, soonest expiry first.
    The topic is named only to those who may open it (invitations go out for published
    topics, whose pages are public, but a consortium may be built earlier)."""
    visible = policies.topic_visibility_clause(user)
    stmt = (
        select(
            Invitation.id,
            Invitation.created_at.label("since"),
            Invitation.expires_at.label("due"),
            case((visible, Topic.title), else_=literal(None)).label("topic"),
            Organisation.legal_name.label("org"),
        )
        .join(REQ, REQ.id == Invitation.request_id)
        .join(Topic, Topic.id == REQ.topic_id)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .where(
            policies.invitation_visibility_clause(user),
            Invitation.organisation_id.in_(sorted(policies.organisation_ids(user))),
            Invitation.status == "sent",
            REQ.closed_at.is_(None),
        )
    )
    order = [Invitation.expires_at.asc().nulls_last(), Invitation.id]
    rows = ranked(session, stmt, order)
    items = [
        Item(
            r.topic or UNPUBLISHED,
            "Accept or decline",
            Link("consortia.invitation", {"invitation_id": r.id}),
            f"{r.org} is invited to join the applicant consortium",
            since=r.since,
            due=r.due,
        )
        for r in rows
    ]
    return Queue(
        "invitations-to-answer",
        "Invitations to answer",
        "invitation",
        "invitations",
        "No invitation waits for an answer from your organisations.",
        single(rows, items),
        due_word="expires",
        more=Link("consortia.my_invitations"),
    )


def section(session: Session, user: User) -> Section:
    return Section("invitee", "Invited organisations", [invitations_to_answer(session, user)])

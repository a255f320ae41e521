"""Who may do what in the partnering loop: consortia, invitations, the people of an
organisation, expressions of interest."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import aliased, object_session

from models import (
    Invitation,
    MatchRequest,
    Organisation,
    Topic,
    User,
)
from services.policies.programme import (
    is_admin,
    is_coordinator,
    is_organisation_member,
    is_partner_rep,
    is_sgg_member,
    is_signed_in,
    organisation_ids,
    sgg_ids,
)

# ---- consortia (match requests, review, invitations) -------------------------------------
# A match request belongs to its topic: who may request suggestions for a topic may see and
# review them. Finalising (sending invitations on the programme's behalf) stays with the
# programme office.


def can_request_match(user: User | None, topic: Topic) -> bool:
    """Coordinators, and SGG members of the topic's own SGG."""
    if user is None or not user.is_active:
        return False
    return is_coordinator(user) or is_sgg_member(user, topic.sgg_id)


def can_view_match(user: User | None, request: MatchRequest) -> bool:
    return can_request_match(user, request.topic)


def match_visibility_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``MatchRequest`` selecting exactly what ``can_view_match`` allows."""
    if user is None or not user.is_active:
        return false()
    if is_coordinator(user):
        return true()
    sggs = sgg_ids(user)
    if not sggs:
        return false()
    topic = aliased(Topic)  # not correlated with a Topic the enclosing query joins
    return exists().where(topic.id == MatchRequest.topic_id, topic.sgg_id.in_(sggs))


def can_edit_match(user: User | None, request: MatchRequest) -> bool:
    """Lock, remove, swap and add members: coordinators, or the SGG member who asked."""
    if user is None or not user.is_active or request.finalised_at is not None:
        return False
    if is_coordinator(user):
        return True
    return request.requested_by_id == user.id and is_sgg_member(user, request.topic.sgg_id)


def can_cancel_match(user: User | None, request: MatchRequest) -> bool:
    """Stop a queued or running computation: who asked for it, or a coordinator."""
    if not can_view_match(user, request):
        return False
    return is_coordinator(user) or request.requested_by_id == user.id  # type: ignore[union-attr]


def can_finalise_match(user: User | None, request: MatchRequest) -> bool:
    return is_coordinator(user) and request.status == "done"


def can_invite_alternate(user: User | None, request: MatchRequest) -> bool:
    """Fill open seats, invite more organisations or add a contact to a member: coordinators,
    between finalising and closing."""
    return is_coordinator(user) and request.finalised_at is not None and request.closed_at is None


def can_close_consortium(user: User | None, request: MatchRequest) -> bool:
    """Closing ends the invitations: answers can no longer change."""
    return can_invite_alternate(user, request)


def is_accepted_member(user: User | None, request: MatchRequest) -> bool:
    """A person of an organisation that accepted its invitation to this consortium."""
    orgs = organisation_ids(user)
    session = object_session(request)
    if not orgs or user is None or not user.is_active or session is None:
        return False
    found = session.scalar(
        select(Invitation.id).where(
            Invitation.request_id == request.id,
            Invitation.status == "accepted",
            Invitation.organisation_id.in_(orgs),
        )
    )
    return found is not None


def can_view_consortium_as_member(user: User | None, request: MatchRequest) -> bool:
    """Accepted members see the consortium read-only (who else accepted; no scores, no
    alternates, no reasons): the page of ``services.consortia.invitation_page``."""
    return request.finalised_at is not None and is_accepted_member(user, request)


def can_respond_invitation(user: User | None, invitation: Invitation) -> bool:
    """People of the invited organisation (partner representatives and applicants)."""
    return (
        user is not None
        and user.is_active
        and is_organisation_member(user, invitation.organisation_id)
    )


def can_view_invitation(user: User | None, invitation: Invitation) -> bool:
    """The invited organisation's people, and who may see the invitation's match request."""
    return can_respond_invitation(user, invitation) or can_view_match(user, invitation.request)


def invitation_visibility_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``Invitation`` selecting exactly what ``can_view_invitation`` allows."""
    if user is None or not user.is_active:
        return false()
    if is_coordinator(user):
        return true()  # every match request is theirs to see, so every invitation is
    orgs = organisation_ids(user)
    conditions: list[ColumnElement[bool]] = [
        exists().where(MatchRequest.id == Invitation.request_id, match_visibility_clause(user))
    ]
    if orgs:
        conditions.append(Invitation.organisation_id.in_(orgs))
    return or_(*conditions)


def can_see_coordinator_contact(user: User | None, invitation: Invitation) -> bool:
    """The invitee may see the name and email of the coordinator who invited them."""
    return can_view_invitation(user, invitation)


def can_build_index(user: User | None) -> bool:
    return is_admin(user)


# ---- people of an organisation (contacts, join requests) ---------------------------------
# Contacts are personal data: the programme office and the organisation's own people see and
# keep them. Join requests are decided by the office and the organisation's representatives.


def can_see_contacts(user: User | None, org: Organisation | int) -> bool:
    """Coordinators, admins and the organisation's own people (representatives, members)."""
    if not is_signed_in(user):
        return False
    return is_coordinator(user) or is_organisation_member(user, org)


def can_manage_contacts(user: User | None, org: Organisation | int) -> bool:
    """Add, edit, remove and import contacts: the same people who see them."""
    return can_see_contacts(user, org)


def is_verified(user: User | None) -> bool:
    """An active account whose email address was proved (or vouched for by an admin)."""
    return is_signed_in(user) and getattr(user, "email_verified_at", None) is not None


def can_request_to_join(user: User | None, org: Organisation | int) -> bool:
    """A verified person asks to join an organisation they do not belong to yet."""
    return is_verified(user) and not is_organisation_member(user, org)


def can_decide_join_requests(user: User | None, org: Organisation | int) -> bool:
    """Coordinators, admins and the organisation's partner representatives."""
    if not is_signed_in(user):
        return False
    return is_coordinator(user) or is_partner_rep(user, org)


# ---- expressions of interest -------------------------------------------------------------
# The people of an organisation (partner representatives, applicants) flag interest in a
# topic open for applications. Who is interested is seen by who builds the topic's
# consortia (coordinators and the topic's SGG, who see it in suggestions anyway), never by
# other partners; each organisation sees its own.
INTEREST_STATES = ("published", "stage1_open")


def can_express_interest(user: User | None, topic: Topic, org: Organisation | int) -> bool:
    """Express or edit: the organisation's people, while the topic is open."""
    return (
        is_signed_in(user) and is_organisation_member(user, org) and topic.status in INTEREST_STATES
    )


def can_withdraw_interest(user: User | None, org: Organisation | int) -> bool:
    return is_signed_in(user) and is_organisation_member(user, org)


def can_view_interests(user: User | None, topic: Topic) -> bool:
    """Every interested organisation of the topic (the others see only their own)."""
    return can_request_match(user, topic)

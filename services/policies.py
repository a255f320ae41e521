"""Who may do what: plain functions used by views, API and services alike."""

from __future__ import annotations

from models import Organisation, Pledge, Sgg, Topic, User


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == "admin"


def is_coordinator(user: User | None) -> bool:
    """Coordinators run the programme office; admins can do everything they can."""
    return user is not None and user.is_active and user.role in ("admin", "coordinator")


def sgg_ids(user: User | None) -> set[int]:
    if user is None:
        return set()
    return {m.sgg_id for m in user.sgg_memberships}


def is_sgg_member(user: User | None, sgg: Sgg | int | None = None) -> bool:
    ids = sgg_ids(user)
    if sgg is None:
        return bool(ids)
    return (sgg if isinstance(sgg, int) else sgg.id) in ids


def organisation_ids(user: User | None, role: str | None = None) -> set[int]:
    if user is None:
        return set()
    return {m.organisation_id for m in user.org_memberships if role is None or m.role == role}


def is_partner_rep(user: User | None, org: Organisation | int | None = None) -> bool:
    ids = organisation_ids(user, "partner_rep")
    if org is None:
        return bool(ids)
    return (org if isinstance(org, int) else org.id) in ids


def is_applicant(user: User | None, org: Organisation | int | None = None) -> bool:
    ids = organisation_ids(user, "applicant")
    if org is None:
        return bool(ids)
    return (org if isinstance(org, int) else org.id) in ids


def can_manage_users(user: User | None) -> bool:
    return is_admin(user)


def can_read_outbox(user: User | None) -> bool:
    """The mail kept in the outbox (embedded default) is readable by admins."""
    return is_admin(user)


def role_labels(user: User) -> list[str]:
    """Every role a user holds, for display and navigation."""
    labels = [{"admin": "Admin", "coordinator": "Coordinator", "viewer": "Viewer"}[user.role]]
    if is_sgg_member(user):
        labels.append("SGG member")
    if is_partner_rep(user):
        labels.append("Partner representative")
    if is_applicant(user):
        labels.append("Applicant")
    return labels


# Pledges and funding ------------------------------------------------------------------


def can_pledge_for(user: User | None, org: Organisation | int) -> bool:
    """Partner representatives pledge for their own organisation; the programme office
    (coordinators, admins) decides on pledges and so never makes one."""
    return is_partner_rep(user, org) and not is_coordinator(user)


def can_decide_pledges(user: User | None) -> bool:
    return is_coordinator(user)


def can_view_pledge(user: User | None, pledge: Pledge) -> bool:
    return is_coordinator(user) or is_partner_rep(user, pledge.organisation_id)


def can_view_funding(user: User | None) -> bool:
    """Programme-wide funding views and exports are for the programme office."""
    return is_coordinator(user)


def can_view_partner_funding(user: User | None, org: Organisation | int) -> bool:
    return is_coordinator(user) or is_partner_rep(user, org)


def can_view_topic_funding(user: User | None, topic: Topic) -> bool:
    return is_coordinator(user) or is_sgg_member(user, topic.sgg_id)


def can_apply_for_partnership(user: User | None, org: Organisation | int) -> bool:
    """A partner representative applies for their organisation; an admin on its behalf."""
    return is_admin(user) or is_partner_rep(user, org)


def can_decide_applications(user: User | None) -> bool:
    return is_coordinator(user)

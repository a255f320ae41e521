"""Who may do what: plain functions used by views, API and services alike."""

from __future__ import annotations

from models import Invitation, MatchRequest, Organisation, Sgg, Topic, User


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


# Organisations. Descriptive fields are what an organisation's own people may edit; the
# rest (name, PIC, country, sector, flags) decides eligibility and stays with the office.
ORG_DESCRIPTIVE_FIELDS = ("short_name", "city", "description", "keywords")
ORG_OFFICE_FIELDS = (
    "legal_name",
    "pic",
    "country",
    "sector",
    "is_sme",
    "is_efpia_member",
    "partner_type",
)


def is_organisation_member(user: User | None, org: Organisation | int) -> bool:
    """A partner representative or applicant acting for this organisation."""
    return (org if isinstance(org, int) else org.id) in organisation_ids(user)


def organisation_fields_editable(user: User | None, org: Organisation) -> tuple[str, ...]:
    """The organisation fields ``user`` may change (empty: none)."""
    if user is None or not user.is_active or org.merged_into_id is not None:
        return ()
    if is_coordinator(user):
        return ORG_OFFICE_FIELDS + ORG_DESCRIPTIVE_FIELDS
    if is_organisation_member(user, org):
        return ORG_DESCRIPTIVE_FIELDS
    return ()


def can_edit_organisation(user: User | None, org: Organisation) -> bool:
    return bool(organisation_fields_editable(user, org))


def can_import_cordis(user: User | None) -> bool:
    return is_admin(user)


def can_merge_organisations(user: User | None) -> bool:
    return is_admin(user)


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


def can_edit_match(user: User | None, request: MatchRequest) -> bool:
    """Lock, remove, swap and add members: coordinators, or the SGG member who asked."""
    if user is None or not user.is_active or request.finalised_at is not None:
        return False
    if is_coordinator(user):
        return True
    return request.requested_by_id == user.id and is_sgg_member(user, request.topic.sgg_id)


def can_finalise_match(user: User | None, request: MatchRequest) -> bool:
    return is_coordinator(user) and request.status == "done"


def can_invite_alternate(user: User | None, request: MatchRequest) -> bool:
    return is_coordinator(user) and request.finalised_at is not None


def can_respond_invitation(user: User | None, invitation: Invitation) -> bool:
    """People of the invited organisation (partner representatives and applicants)."""
    return (
        user is not None
        and user.is_active
        and is_organisation_member(user, invitation.organisation_id)
    )


def can_build_index(user: User | None) -> bool:
    return is_admin(user)

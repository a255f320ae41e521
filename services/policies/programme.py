"""Who may do what in the programme: roles, pledges, topics, organisations."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    false,
    select,
    true,
)
from sqlalchemy.orm import Session, object_session

from models import (
    Organisation,
    Pledge,
    ProgrammeReviewer,
    Sgg,
    Topic,
    TopicComment,
    TopicReview,
    User,
)
from services.core import words


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


def is_any_reviewer(user: User | None) -> bool:
    """A programme reviewer of some programme (known already for the signed-in user)."""
    if user is not None and user.reviews_anywhere is not None:
        return bool(user.reviews_anywhere)
    session = object_session(user) if user is not None else None
    if session is None or not is_signed_in(user):
        return False
    assert user is not None
    found = session.scalar(
        select(ProgrammeReviewer.id).where(ProgrammeReviewer.user_id == user.id).limit(1)
    )
    return found is not None


def role_labels(user: User) -> list[str]:
    """Every role a user holds, in words, for display and navigation. "Viewer" (the global
    role of everyone who is not in the programme office) only when nothing else is held."""
    labels = [] if user.role == "viewer" else [words.role_word(user.role)]
    if is_sgg_member(user):
        labels.append(words.role_word("sgg"))
    if is_partner_rep(user):
        labels.append(words.role_word("partner_rep"))
    if is_applicant(user):
        labels.append(words.role_word("applicant"))
    if is_any_reviewer(user):
        labels.append(words.role_word("reviewer"))
    return labels or [words.role_word("viewer")]


def can_see_name(viewer: User | None, person: User | None) -> bool:
    """Whose name a history line shows: the programme office sees every name; everyone
    sees their own, the programme office's and those of the people they work with (a
    shared SGG or organisation). Others are described by their role."""
    if not is_signed_in(viewer) or person is None:
        return False
    assert viewer is not None
    if viewer.id == person.id or is_coordinator(viewer) or person.role in ("admin", "coordinator"):
        return True
    return bool(
        (sgg_ids(viewer) & sgg_ids(person)) or (organisation_ids(viewer) & organisation_ids(person))
    )


# Pledges and funding ------------------------------------------------------------------


def can_pledge_for(user: User | None, org: Organisation | int) -> bool:
    """Partner representatives pledge for their own organisation; the programme office
    (coordinators, admins) decides on pledges and so never makes one."""
    return is_partner_rep(user, org) and not is_coordinator(user)


def can_decide_pledges(user: User | None) -> bool:
    return is_coordinator(user)


def can_view_pledge(user: User | None, pledge: Pledge) -> bool:
    return is_coordinator(user) or is_partner_rep(user, pledge.organisation_id)


def pledge_visibility_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``Pledge`` selecting exactly the pledges ``can_view_pledge`` allows."""
    if is_coordinator(user):
        return true()
    orgs = organisation_ids(user, "partner_rep")
    return Pledge.organisation_id.in_(orgs) if orgs else false()


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


# --- topics -----------------------------------------------------------------------------
# Who sees and edits call topics, their reviews and comments. ``topic_visibility_clause``
# is the same rule as ``can_view_topic`` in SQL, for lists, search and exports.

PRE_PUBLICATION_STATES = ("idea", "screening", "drafting", "consultation", "approved")
PUBLISHED_STATES = (
    "published",
    "stage1_open",
    "stage1_closed",
    "consortium_selected",
    "stage2",
    "closed",
)
# The pre-defined industry consortium writes the text from drafting on.
INDUSTRY_STATES = ("drafting", "consultation", "approved")
EDITABLE_BY_COORDINATOR = (*PRE_PUBLICATION_STATES, "published")
EDITABLE_BY_SGG = ("idea", "screening", "drafting", "consultation")
EDITABLE_BY_INDUSTRY = ("drafting", "consultation")


def is_signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_industry_rep(user: User | None, topic: Topic) -> bool:
    """A partner representative of an organisation in the topic's industry consortium."""
    orgs = organisation_ids(user, "partner_rep")
    return bool(orgs) and any(p.organisation_id in orgs for p in topic.industry_partners)


def is_programme_reviewer(user: User | None, programme_id: int, session: Session) -> bool:
    if not is_signed_in(user):
        return False
    assert user is not None
    found = session.scalar(
        select(ProgrammeReviewer.id).where(
            ProgrammeReviewer.programme_id == programme_id, ProgrammeReviewer.user_id == user.id
        )
    )
    return found is not None


def topic_review_of(user: User | None, topic: Topic, session: Session) -> TopicReview | None:
    if not is_signed_in(user):
        return None
    assert user is not None
    return session.scalar(
        select(TopicReview).where(
            TopicReview.topic_id == topic.id, TopicReview.reviewer_id == user.id
        )
    )


def is_public_topic(topic: Topic) -> bool:
    """Published topics (and later) have public read-only pages."""
    return topic.status in PUBLISHED_STATES


def can_view_topic(user: User | None, topic: Topic) -> bool:
    if not is_signed_in(user):
        return False
    if (
        topic.status in PUBLISHED_STATES
        or is_coordinator(user)
        or is_sgg_member(user, topic.sgg_id)
    ):
        return True
    if topic.status in INDUSTRY_STATES and is_industry_rep(user, topic):
        return True
    session = object_session(topic)
    if session is None:
        return False
    if topic.status == "consultation" and is_programme_reviewer(user, topic.programme_id, session):
        return True
    return topic_review_of(user, topic, session) is not None


def can_create_topic(user: User | None, sgg: Sgg | int) -> bool:
    """SGG members propose ideas for their SGG; coordinators for any."""
    return is_signed_in(user) and (is_coordinator(user) or is_sgg_member(user, sgg))


def sggs_open_to_proposals(user: User | None, candidates: Iterable[int]) -> set[int]:
    """The SGGs among ``candidates`` ``user`` may propose topics for (``can_create_topic``
    of each, the user's roles read once)."""
    if not is_signed_in(user):
        return set()
    return set(candidates) if is_coordinator(user) else set(candidates) & sgg_ids(user)


def can_edit_topic(user: User | None, topic: Topic) -> bool:
    if not is_signed_in(user):
        return False
    if is_coordinator(user):
        return topic.status in EDITABLE_BY_COORDINATOR
    if is_sgg_member(user, topic.sgg_id) and topic.status in EDITABLE_BY_SGG:
        return True
    return topic.status in EDITABLE_BY_INDUSTRY and is_industry_rep(user, topic)


def can_manage_calls(user: User | None) -> bool:
    return is_coordinator(user)


def can_assign_reviewers(user: User | None, topic: Topic) -> bool:
    """Coordinators assign reviewers and change review deadlines while a topic is open."""
    return is_coordinator(user) and topic.status not in ("closed", "rejected", "withdrawn")


def can_override_review_conflict(user: User | None, topic: Topic) -> bool:
    """Only a coordinator assigns a reviewer despite a detected conflict (with a reason)."""
    return can_assign_reviewers(user, topic)


def can_see_review_assignments(user: User | None, topic: Topic) -> bool:
    """Who reviews a topic, overrides and deadlines: the programme office only (the SGG
    and the industry partners must not learn who judges their text)."""
    return is_coordinator(user)


def can_see_reviews(user: User | None, topic: Topic) -> bool:
    """Coordinators, and assigned reviewers who declared no conflict of interest."""
    if is_coordinator(user):
        return True
    session = object_session(topic)
    review = topic_review_of(user, topic, session) if session is not None else None
    return review is not None and review.coi == "none"


def comment_levels_for(user: User | None, topic: Topic) -> list[str]:
    """The comment visibility levels ``user`` may read (and write) on ``topic``."""
    if not can_view_topic(user, topic):
        return []
    levels = ["all"]
    if is_coordinator(user) or is_sgg_member(user, topic.sgg_id):
        levels.append("sgg")
    if is_coordinator(user) or can_see_reviews(user, topic):
        levels.append("reviewers")
    return levels


def can_read_comment(user: User | None, comment: TopicComment, topic: Topic) -> bool:
    return comment.level in comment_levels_for(user, topic)


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


def can_edit_lineage(user: User | None) -> bool:
    """Who sets which CORDIS calls make up a programme's lineage."""
    return is_admin(user)


def can_view_community(user: User | None) -> bool:
    """The programme community pages: organisations are public data to everyone signed in."""
    return is_signed_in(user)


def can_merge_organisations(user: User | None) -> bool:
    return is_admin(user)


def can_edit_programme_settings(user: User | None) -> bool:
    """Who sets a programme's rules (thresholds, matching, shares, reminders, time zone)."""
    return is_admin(user)

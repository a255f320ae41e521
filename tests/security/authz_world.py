"""The world the authorization matrix runs against: one user per role and, for each kind of
object, one the role owns (SGG A, organisation X, user U) and one it does not (SGG B,
organisation Y, user V)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

import models
from services.accounts import api_tokens, memberships
from services.accounts import users as accounts
from services.core.context import RequestContext
from tests.conftest import PASSWORD

# Role -> what the user holds. "sgg_a" and "rep_x" own the A/X objects; "sgg_b" and "rep_y"
# hold the same role on the other SGG and organisation.
ROLES = (
    "anonymous",
    "viewer",
    "admin",
    "coordinator",
    "sgg_a",
    "sgg_b",
    "rep_x",
    "rep_y",
    "applicant",
    "reviewer",
)
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
CSRF_IN_BODY = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')


def _user(db: Session, name: str, role: str = "viewer") -> models.User:
    return accounts.create_user(
        db,
        RequestContext(None),
        email=f"{name}@example.org",
        name=name,
        role=role,
        password=PASSWORD,
    )


def _inbox(db: Session, user: models.User, subject: str) -> models.OutboxMessage:
    item = models.OutboxMessage(
        event="test.event",
        channel="inbox",
        recipient_id=user.id,
        recipient_email=user.email,
        subject=subject,
        body_text=subject,
        link="/dashboard",
        status="sent",
    )
    db.add(item)
    return item


def build(db: Session) -> dict[str, Any]:
    """Create the world and return the ids the rule table refers to by name."""
    now = datetime.now(UTC)
    programme = models.Programme(code="AZ-PROG", name="Authz programme")
    area_a = models.ScientificArea(name="Infectious diseases", slug="infectious")
    area_b = models.ScientificArea(name="Cancer", slug="cancer")
    sgg_a = models.Sgg(programme=programme, area=area_a, name="SGG A")
    sgg_b = models.Sgg(programme=programme, area=area_b, name="SGG B")
    # Approved associated partners: their representatives may pledge.
    org_x = models.Organisation(
        legal_name="Pharma X AG",
        country="CH",
        sector="industry",
        pic="900000011",
        partner_type="associated",
    )
    org_y = models.Organisation(
        legal_name="Pharma Y SA",
        country="FR",
        sector="industry",
        pic="900000012",
        partner_type="associated",
    )
    uni = models.Organisation(
        legal_name="University of Z", country="DE", sector="academia", pic="900000013"
    )
    db.add_all([programme, area_a, area_b, sgg_a, sgg_b, org_x, org_y, uni])
    db.flush()
    call = models.Call(
        programme=programme,
        identifier="AZ-CALL-1",
        title="Authz call",
        call_type="two_stage",
        stage1_deadline=now + timedelta(days=30),
        stage2_deadline=now + timedelta(days=150),
    )
    db.add(call)
    db.flush()

    users = {
        "viewer": _user(db, "viewer"),
        "admin": _user(db, "admin", "admin"),
        "coordinator": _user(db, "coordinator", "coordinator"),
        "sgg_a": _user(db, "sgg-a"),
        "sgg_b": _user(db, "sgg-b"),
        "rep_x": _user(db, "rep-x"),
        "rep_y": _user(db, "rep-y"),
        "applicant": _user(db, "applicant"),
        "reviewer": _user(db, "reviewer"),
    }
    victim = _user(db, "victim")  # user V: holds objects nobody in the matrix owns
    memberships.add_to_sgg(db, RequestContext(None), users["sgg_a"], sgg_a.id)
    memberships.add_to_sgg(db, RequestContext(None), users["sgg_b"], sgg_b.id)
    memberships.add_to_organisation(
        db, RequestContext(None), users["rep_x"], org_x.id, "partner_rep"
    )
    memberships.add_to_organisation(
        db, RequestContext(None), users["rep_y"], org_y.id, "partner_rep"
    )
    memberships.add_to_organisation(
        db, RequestContext(None), users["applicant"], uni.id, "applicant"
    )
    victim_sgg = memberships.add_to_sgg(db, RequestContext(None), victim, sgg_b.id)
    db.add(models.ProgrammeReviewer(programme_id=programme.id, user_id=users["reviewer"].id))

    def topic(sgg: models.Sgg, area: models.ScientificArea, status: str, partner, title: str):
        t = models.Topic(
            programme=programme,
            sgg=sgg,
            area=area,
            title=title,
            status=status,
            identifier=f"AZ-{title}",
            challenge="The challenge.",
            scope="The scope.",
            expected_outcomes="Outcomes.",
            expected_impact="Impact.",
            keywords="vaccines, adjuvants",
            eu_contribution=Decimal("1000000.00"),
            industry_contribution=Decimal("1000000.00"),
            duration_months=60,
            call=call if status == "published" else None,
        )
        db.add(t)
        db.flush()
        db.add(models.TopicIndustryPartner(topic_id=t.id, organisation_id=partner.id))
        db.add(models.TopicRevision(topic_id=t.id, number=1, snapshot={"title": title}))
        return t

    topic_a = topic(sgg_a, area_a, "drafting", org_x, "draft-a")
    topic_b = topic(sgg_b, area_b, "drafting", org_y, "draft-b")
    published = topic(sgg_a, area_a, "published", org_x, "published-a")
    # User V reviews both drafts (their deadlines are what coordinators may move).
    review_a, review_b = (
        models.TopicReview(topic_id=t.id, reviewer_id=victim.id) for t in (topic_a, topic_b)
    )
    db.add_all([review_a, review_b])

    def pledge(org: models.Organisation, amount: str) -> models.Pledge:
        p = models.Pledge(
            topic_id=published.id,
            organisation_id=org.id,
            kind="fc",
            amount=Decimal(amount),  # distinct amounts: the content checks look for them
            status="submitted",
        )
        db.add(p)
        return p

    pledge_x, pledge_y = pledge(org_x, "111111.11"), pledge(org_y, "222222.22")
    application_x, application_y = (
        models.PartnerApplication(
            organisation_id=org.id,
            programme_id=programme.id,
            partner_type="associated",
            status="approved",
        )
        for org in (org_x, org_y)
    )
    db.add_all([application_x, application_y])

    def match(t: models.Topic, by: models.User, invited: models.Organisation):
        req = models.MatchRequest(
            topic_id=t.id,
            requested_by_id=by.id,
            params={"size": 2},
            input_hash=f"hash-{t.id}",
            status="done",
            progress=100,
        )
        db.add(req)
        db.flush()
        member = models.SuggestedMember(
            request_id=req.id, organisation_id=uni.id, rank=1, score=0.5
        )
        invited_member = models.SuggestedMember(
            request_id=req.id, organisation_id=invited.id, rank=2, score=0.4
        )
        db.add_all([member, invited_member])
        db.flush()
        invitation = models.Invitation(
            request_id=req.id, member_id=invited_member.id, organisation_id=invited.id
        )
        db.add(invitation)
        return req, member, invitation

    match_a, member_a, invitation_x = match(topic_a, users["sgg_a"], org_x)
    match_b, member_b, invitation_y = match(topic_b, users["sgg_b"], org_y)
    loop_a, loop_member_a, _inv = match(topic_a, users["sgg_a"], org_x)  # for the API's loop
    loop_b, loop_member_b, _inv = match(topic_b, users["sgg_b"], org_y)
    # Expressions of interest in the published topic (SGG A), one per organisation.
    interest_x, interest_y, interest_u = (
        models.TopicInterest(topic_id=published.id, organisation_id=org.id, note="We bring")
        for org in (org_x, org_y, uni)
    )
    db.add_all([interest_x, interest_y, interest_u])
    # A finalised consortium of topic A that organisation X joined: rep_x sees it read-only.
    joined, _member, accepted_x = match(topic_a, users["sgg_a"], org_x)
    joined.input_hash, joined.finalised_at = "hash-joined", now
    accepted_x.status = "accepted"
    email = models.OutboxMessage(
        event="test.event",
        channel="email",
        recipient_id=victim.id,
        recipient_email=victim.email,
        subject="A mail",
        body_text="A mail",
    )
    db.add(email)
    run = models.ImportRun(projects_file="p.csv", organisations_file="o.csv", status="done")
    db.add(run)

    def contact(org: models.Organisation, who: str) -> models.Contact:
        c = models.Contact(organisation_id=org.id, name=f"Contact {who}", email=f"{who}@x.org")
        db.add(c)
        return c

    # Contacts of X: one per role allowed to remove it (removing twice would be a 404), and
    # one that the roles who may not see it are refused.
    contact_x = contact(org_x, "contact-x")
    keepers = ("admin", "coordinator", "rep_x")
    own_contact = {r: contact(org_x, f"contact-x-{r}") for r in keepers}  # removed by a page
    api_contact = {r: contact(org_x, f"contact-x-api-{r}") for r in keepers}  # by the API
    # Two pending join requests by user V: to X and to Y.
    join_x = models.JoinRequest(organisation_id=org_x.id, user_id=victim.id, note="V at X")
    join_y = models.JoinRequest(organisation_id=org_y.id, user_id=victim.id, note="V at Y")
    db.add_all([join_x, join_y])
    index_version = models.ExpertiseIndexVersion(status="failed", reason="matrix")
    db.add(index_version)
    db.flush()

    own_inbox = {role: _inbox(db, u, f"For {role}") for role, u in users.items()}
    victim_inbox = _inbox(db, victim, "For V")
    # Two tokens per role: one the API requests use, one the revoke route may revoke.
    api_raw: dict[str, str] = {}
    revocable: dict[str, int] = {}
    for role, u in users.items():
        _t, api_raw[role] = api_tokens.create_token(
            db, RequestContext(u), name="matrix", scope="write"
        )
        spare, _raw = api_tokens.create_token(db, RequestContext(u), name="spare", scope="read")
        revocable[role] = spare.id
    victim_token, _raw = api_tokens.create_token(
        db, RequestContext(victim), name="victim", scope="write"
    )
    db.flush()
    world = {
        "programme": programme.id,
        "sgg_a": sgg_a.id,
        "call": call.id,
        "topic_a": topic_a.id,
        "review_a": review_a.id,
        "review_b": review_b.id,
        "topic_b": topic_b.id,
        "published": published.id,
        "org_x": org_x.id,
        "org_y": org_y.id,
        "uni": uni.id,
        "pledge_x": pledge_x.id,
        "pledge_y": pledge_y.id,
        "application_x": application_x.id,
        "application_y": application_y.id,
        "match_a": match_a.id,
        "match_b": match_b.id,
        "match_joined": joined.id,
        "member_a": member_a.id,
        "member_b": member_b.id,
        "loop_a": loop_a.id,
        "loop_b": loop_b.id,
        "loop_member_a": loop_member_a.id,
        "loop_member_b": loop_member_b.id,
        "invitation_x": invitation_x.id,
        "invitation_y": invitation_y.id,
        "interest_x": interest_x.id,
        "interest_y": interest_y.id,
        "interest_u": interest_u.id,
        "email": email.id,
        "run": run.id,
        "contact_x": contact_x.id,
        "removable_contact": {role: own_contact.get(role, contact_x).id for role in ROLES},
        "api_removable_contact": {role: api_contact.get(role, contact_x).id for role in ROLES},
        "join_x": join_x.id,
        "join_y": join_y.id,
        "index_version": index_version.id,
        "victim": victim.id,
        "victim_sgg_membership": victim_sgg.id,
        "victim_inbox": victim_inbox.id,
        "victim_token": victim_token.id,
        # per role: the object of the signed-in user themself
        "own_inbox": {role: item.id for role, item in own_inbox.items()},
        "own_token": revocable,
        "api_raw": api_raw,
        "emails": {role: u.email for role, u in users.items()},
    }
    db.commit()
    return world

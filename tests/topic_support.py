"""Helpers for the call-topic tests: a topic in any state and one user per role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

import models

ROLES = (
    "admin",
    "coordinator",
    "sgg_same",
    "sgg_other",
    "partner_rep",
    "applicant",
    "viewer",
    "reviewer",
)
PUBLISHED = (
    "published",
    "stage1_open",
    "stage1_closed",
    "consortium_selected",
    "stage2",
    "closed",
)


def expected_visible(role: str, status: str) -> bool:
    """The visibility rule of the issue, written out independently of the code."""
    if role in ("admin", "coordinator", "sgg_same") or status in PUBLISHED:
        return True
    if role == "partner_rep":
        return status in ("drafting", "consultation", "approved")
    if role == "reviewer":
        return status == "consultation"
    return False


def make_people(db: Session, world: dict[str, Any], make_user: Any) -> dict[str, models.User]:
    people = {
        "admin": make_user("admin"),
        "coordinator": make_user("coordinator"),
        "sgg_same": make_user(sgg_id=world["sgg_a"].id),
        "sgg_other": make_user(sgg_id=world["sgg_b"].id),
        "partner_rep": make_user(org_id=world["pharma"].id, org_role="partner_rep"),
        "applicant": make_user(org_id=world["uni"].id, org_role="applicant"),
        "viewer": make_user(),
        "reviewer": make_user(),
    }
    db.add(
        models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=people["reviewer"].id)
    )
    db.commit()
    return people


def person(
    db: Session,
    world: dict[str, Any],
    *,
    reviewer: bool = False,
    email: str | None = None,
    sgg: models.Sgg | None = None,
    org: models.Organisation | None = None,
    org_role: str = "partner_rep",
    role: str = "viewer",
) -> models.User:
    """A user who never signs in (no password: no argon2 hash to compute), with the
    memberships given; ``reviewer``: with the programme's reviewer role."""
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    user = models.User(email=email, name=email.split("@")[0], role=role)
    db.add(user)
    db.flush()
    if sgg is not None:
        db.add(models.SggMembership(user_id=user.id, sgg_id=sgg.id))
    if org is not None:
        membership = models.OrganisationMembership(
            user_id=user.id, organisation_id=org.id, role=org_role
        )
        db.add(membership)
    if reviewer:
        db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=user.id))
    db.commit()
    return user


def make_reviewer(db: Session, world: dict[str, Any], make_user: Any, **kw: Any) -> models.User:
    """A user who signs in, with the programme's reviewer role (whom the picker offers)."""
    user = make_user(**kw)
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=user.id))
    db.commit()
    return user


def make_call(
    db: Session, world: dict[str, Any], call_type: str = "two_stage", identifier: str = "CALL-1"
) -> models.Call:
    now = datetime.now(UTC)
    call = models.Call(
        programme=world["programme"],
        identifier=identifier,
        title="Test call",
        call_type=call_type,
        stage1_deadline=now + timedelta(days=30),
        stage2_deadline=now + timedelta(days=150) if call_type == "two_stage" else None,
    )
    db.add(call)
    db.commit()
    return call


def make_topic(
    db: Session,
    world: dict[str, Any],
    status: str = "idea",
    title: str = "A topic",
    call: models.Call | None = None,
    **fields: Any,
) -> models.Topic:
    """A complete topic (every field a transition may require) in ``status``."""
    values: dict[str, Any] = {
        "programme": world["programme"],
        "sgg": world["sgg_a"],
        "area": world["area"],
        "title": title,
        "status": status,
        "identifier": f"T-{title[:20]}-{status}",
        "challenge": "The challenge.",
        "scope": "The scope.",
        "expected_outcomes": "Outcomes.",
        "expected_impact": "Impact.",
        "keywords": "vaccines, adjuvants",
        "eu_contribution": Decimal("1000000.00"),
        "industry_contribution": Decimal("900000.50"),
        "duration_months": 60,
        "call": call,
    }
    values.update(fields)
    topic = models.Topic(**values)
    db.add(topic)
    db.flush()
    db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=world["pharma"].id))
    db.commit()
    db.refresh(topic)
    return topic

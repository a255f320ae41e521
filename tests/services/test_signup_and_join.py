"""Self-registration with a verification link, and join requests decided by the
organisation's representatives or a coordinator."""

from __future__ import annotations

import dataclasses
import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from models import AuditEntry, Contact, JoinRequest, OutboxMessage, User
from services import policies
from services.accounts import signup
from services.accounts import users as accounts
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.organisations import contacts
from services.organisations import join_requests as joins

PASSWORD = "a long enough password"
LINK = re.compile(r"http://testserver/auth/verify/(\S+)")


def _mails(db, email: str) -> list[OutboxMessage]:
    db.rollback()
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_email == email, OutboxMessage.channel == "email")
            .order_by(OutboxMessage.id)
        )
    )


def _token(db, email: str) -> str:
    match = LINK.search(_mails(db, email)[-1].body_text)
    assert match, "no verification link in the mail"
    return match.group(1)


def _sign_up(db, settings, email="new.person@uni-testing.eu", name="New Person"):
    signup.sign_up(
        db, RequestContext(None, public_url="http://testserver"), settings,
        name=name, email=email, password=PASSWORD,
    )  # fmt: skip
    db.commit()


def test_sign_up_then_verify_activates_and_links_contacts(db, settings, world):
    contacts.add_contact(db, RequestContext(None), world["uni"].id, name="NP",
                         email="new.person@uni-testing.eu")  # fmt: skip
    db.commit()
    _sign_up(db, settings, email="New.Person@Uni-Testing.EU")
    user = accounts.find_user(db, "new.person@uni-testing.eu")
    assert user is not None and not user.is_active and user.email_verified_at is None
    assert accounts.authenticate(db, RequestContext(None), user.email, PASSWORD) is None
    mail = _mails(db, user.email)[-1]
    assert mail.event == "account.verify" and mail.mode == "immediate"
    assert "Confirm your email address" in mail.subject
    token = _token(db, user.email)
    verified = signup.verify_email(db, RequestContext(None), settings, token)
    db.commit()
    assert verified.is_active and verified.email_verified_at is not None
    assert policies.is_verified(verified)
    assert db.scalar(select(Contact.user_id)) == verified.id
    assert accounts.authenticate(db, RequestContext(None), user.email, PASSWORD) is not None
    with pytest.raises(Conflict, match="already verified"):  # the link works once
        signup.verify_email(db, RequestContext(None), settings, token)


def test_the_same_answer_for_every_address_and_no_second_account(db, settings, make_user):
    active = make_user("viewer", email="known@x.org", password=None)
    _sign_up(db, settings, email="pending@x.org", name="First")
    first_link = _token(db, "pending@x.org")
    for email in ("known@x.org", "pending@x.org"):
        _sign_up(db, settings, email=email.upper(), name="Intruder")
    assert db.scalar(select(User).where(User.email == "pending@x.org")).name == "First"
    assert len(db.scalars(select(User)).all()) == 2
    known_mail = _mails(db, "known@x.org")[-1]
    assert known_mail.event == "account.exists" and "already has an account" in (
        known_mail.body_text
    )
    assert active.password_hash is None  # nothing about the existing account changed
    # A second mail with a link (the same text when signed within the same second: the
    # signature's timestamp has one-second resolution); the first link works too.
    assert len(_mails(db, "pending@x.org")) == 2 and _token(db, "pending@x.org")
    assert signup.verify_email(db, RequestContext(None), settings, first_link).is_active
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"user.signed_up", "user.sign_up_repeated", "user.sign_up_existing"} <= actions


def test_bad_sign_ups_name_every_field(db, settings):
    with pytest.raises(InvalidInput) as refused:
        signup.sign_up(db, RequestContext(None), settings, name="\x00", email="a\x00@x.org",
                       password="short")  # fmt: skip
    assert set(refused.value.field_errors) == {"name", "email", "password"}
    db.commit()
    assert db.scalars(select(User)).all() == []


def test_forged_expired_and_foreign_links_are_refused(db, settings):
    _sign_up(db, settings)
    token = _token(db, "new.person@uni-testing.eu")
    with pytest.raises(NotFound):
        signup.verify_email(db, RequestContext(None), settings, token[:-3] + "abc")
    other = dataclasses.replace(settings, secret_key="another deployment")
    with pytest.raises(NotFound):
        signup.verify_email(db, RequestContext(None), other, token)
    expired = dataclasses.replace(settings, token_hours=-1)
    with pytest.raises(Conflict, match="expired"):
        signup.verify_email(db, RequestContext(None), expired, token)
    forged = URLSafeTimedSerializer(settings.secret_key, salt=signup.SALT).dumps([99999, "x"])
    with pytest.raises(NotFound):
        signup.verify_email(db, RequestContext(None), settings, forged)
    user = accounts.find_user(db, "new.person@uni-testing.eu")
    stale = URLSafeTimedSerializer(settings.secret_key, salt=signup.SALT).dumps([user.id, "x"])
    with pytest.raises(Conflict, match="no longer valid"):
        signup.verify_email(db, RequestContext(None), settings, stale)


# --- join requests ----------------------------------------------------------------------


@pytest.fixture
def people(db, world, make_user):
    uni = world["uni"]
    made = {
        "rep": make_user("viewer", email="rep@uni-testing.eu", org_id=uni.id, password=None),
        "coordinator": make_user("coordinator", password=None),
        "person": make_user("viewer", email="carla@uni-testing.eu", password=None),
        "other_rep": make_user("viewer", org_id=world["pharma"].id, password=None),
        "member": make_user("viewer", org_id=uni.id, org_role="applicant", password=None),
    }
    return made


def test_request_is_notified_approved_as_applicant_and_becomes_a_contact(db, world, people):
    uni = world["uni"]
    jr = joins.request_to_join(db, RequestContext(people["person"]), uni.id, "I run the lab.")
    db.commit()
    told = {m.recipient_id for m in db.scalars(select(OutboxMessage).where(
        OutboxMessage.event == "join.requested", OutboxMessage.channel == "inbox"))}  # fmt: skip
    assert told == {people["rep"].id, people["coordinator"].id}
    assert [r.id for r in joins.pending_for(db, people["rep"])] == [jr.id]
    assert [r.id for r in joins.pending_for(db, people["coordinator"])] == [jr.id]
    assert joins.pending_for(db, people["other_rep"]) == []
    assert joins.pending_for(db, people["member"]) == []
    hint = joins.evidence(db, jr)
    assert hint.known_people == 1 and "matches 1 person already known" in hint.text
    for refused in ("other_rep", "member"):
        with pytest.raises((NotFound, PermissionDenied)):
            joins.approve(db, RequestContext(people[refused]), jr.id)
    joins.approve(db, RequestContext(people["rep"]), jr.id)
    db.commit()
    person = people["person"]
    db.refresh(person)
    assert policies.is_applicant(person, uni.id) and not policies.is_partner_rep(person, uni.id)
    contact = db.scalar(select(Contact).where(Contact.email == person.email))
    assert contact.source == "join" and contact.user_id == person.id
    assert db.scalar(
        select(OutboxMessage).where(
            OutboxMessage.event == "join.decided", OutboxMessage.recipient_id == person.id
        )
    )
    with pytest.raises(Conflict, match="already approved"):
        joins.refuse(db, RequestContext(people["coordinator"]), jr.id, "Too late")
    with pytest.raises(Conflict, match="already act for"):
        joins.request_to_join(db, RequestContext(person), uni.id)


def test_refusal_needs_a_reason_and_evidence_never_grants(db, world, people, make_user):
    uni = world["uni"]
    gmail = make_user("viewer", email="someone@gmail.com", password=None)
    jr = joins.request_to_join(db, RequestContext(gmail), uni.id)
    assert joins.evidence(db, jr).public_mail
    with pytest.raises(Conflict, match="pending"):
        joins.request_to_join(db, RequestContext(gmail), uni.id)
    with pytest.raises(InvalidInput):
        joins.refuse(db, RequestContext(people["coordinator"]), jr.id, "  ")
    with pytest.raises(InvalidInput):
        joins.refuse(db, RequestContext(people["coordinator"]), jr.id, "No\x00")
    joins.refuse(db, RequestContext(people["coordinator"]), jr.id, "We do not know you.")
    db.commit()
    assert jr.status == "refused" and jr.reason == "We do not know you."
    assert not policies.is_organisation_member(gmail, uni.id)
    # The same domain as the representatives: still pending until someone decides.
    colleague = joins.request_to_join(db, RequestContext(people["person"]), uni.id)
    assert joins.evidence(db, colleague).known_people == 1 and colleague.status == "pending"


def test_partner_rep_role_on_request_and_unverified_or_bad_input_refused(db, world, people):
    uni = world["uni"]
    person = people["person"]
    with pytest.raises(InvalidInput):
        joins.request_to_join(db, RequestContext(person), uni.id, "x" * 501)
    with pytest.raises(InvalidInput):
        joins.request_to_join(db, RequestContext(person), uni.id, "nul\x00")
    with pytest.raises(NotFound):
        joins.request_to_join(db, RequestContext(person), 999_999)
    jr = joins.request_to_join(db, RequestContext(person), uni.id)
    with pytest.raises(InvalidInput):
        joins.approve(db, RequestContext(people["coordinator"]), jr.id, role="admin")
    joins.approve(db, RequestContext(people["coordinator"]), jr.id, role="partner_rep")
    db.commit()
    assert policies.is_partner_rep(person, uni.id)
    assert joins.requests_of(db, person)[0].role == "partner_rep"
    person.email_verified_at = None
    with pytest.raises(PermissionDenied, match="Confirm your email"):
        joins.request_to_join(db, RequestContext(person), world["pharma"].id)
    assert db.scalar(select(JoinRequest).where(JoinRequest.status == "pending")) is None

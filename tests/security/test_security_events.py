"""Every security event leaves an audit row naming who, what, on whom and from where:
sign-in, failed sign-in, sign-out, role and membership changes, API tokens, passwords."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from models import AuditEntry, OutboxMessage, SggMembership
from tests.conftest import PASSWORD
from tests.support import login, post_form

NEW_PASSWORD = "a much longer passphrase 42"


def _entries(db, action: str) -> list[AuditEntry]:
    db.rollback()  # see what the app committed since
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _one(db, action: str, **details: Any) -> AuditEntry:
    rows = [
        e for e in _entries(db, action) if all(e.details.get(k) == v for k, v in details.items())
    ]
    assert len(rows) == 1, (action, details, [(e.action, e.details) for e in _entries(db, action)])
    return rows[0]


def test_login_is_audited_with_ip(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    entry = _one(db, "login")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (user.id, "users", user.id)
    assert entry.ip == "127.0.0.1"


def test_failed_login_is_audited_for_known_and_unknown_accounts(client, make_user, db):
    user = make_user()
    post_form(client, "/auth/login", {"email": user.email, "password": "wrong"})
    post_form(client, "/auth/login", {"email": "nobody@example.org", "password": "wrong"})
    rows = _entries(db, "login.failed")
    assert {e.details.get("email") for e in rows} == {user.email, "nobody@example.org"}
    known = next(e for e in rows if e.details["email"] == user.email)
    assert known.object_id == user.id and known.ip == "127.0.0.1"
    assert not _entries(db, "login")


def test_logout_is_audited(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    post_form(client, "/auth/logout", {}, page="/dashboard")
    entry = _one(db, "logout")
    assert entry.actor_id == user.id and entry.ip == "127.0.0.1"


def test_admin_role_change_is_audited_with_old_and_new(client, make_user, db):
    admin, user = make_user("admin"), make_user("viewer")
    login(client, admin.email, PASSWORD)
    r = post_form(
        client, f"/admin/users/{user.id}/role", {"role": "coordinator"}, page="/admin/users"
    )
    assert r.status_code == 302
    entry = _one(db, "user.role_changed", old="viewer", new="coordinator")
    assert (entry.actor_id, entry.object_id, entry.ip) == (admin.id, user.id, "127.0.0.1")


def test_membership_grant_and_revoke_are_audited(client, make_user, db, world):
    admin, user = make_user("admin"), make_user("viewer")
    login(client, admin.email, PASSWORD)
    page = f"/admin/users/{user.id}"
    post_form(client, f"/admin/users/{user.id}/sgg", {"sgg_id": world["sgg_a"].id}, page=page)
    granted = _one(db, "user.role_changed", granted="sgg_member")
    assert (granted.actor_id, granted.object_id, granted.ip) == (admin.id, user.id, "127.0.0.1")
    post_form(
        client,
        f"/admin/users/{user.id}/organisation",
        {"organisation_id": world["pharma"].id, "role": "partner_rep"},
        page=page,
    )
    rep = _one(db, "user.role_changed", granted="partner_rep")
    assert rep.details["organisation"] and rep.object_id == user.id
    membership_id = db.scalar(select(SggMembership.id).where(SggMembership.user_id == user.id))
    post_form(
        client, f"/admin/users/{user.id}/memberships/sgg/{membership_id}/remove", {}, page=page
    )
    revoked = _one(db, "user.role_changed", revoked="sgg")
    assert (revoked.actor_id, revoked.object_id) == (admin.id, user.id)
    assert revoked.details["membership"] == membership_id


def test_api_token_created_and_revoked_are_audited(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    r = post_form(client, "/account/tokens", {"name": "reporting", "scope": "read"})
    assert r.status_code == 200
    created = _one(db, "api_token.created")
    assert (created.actor_id, created.object_type) == (user.id, "api_tokens")
    assert created.details == {"scope": "read", "name": "reporting"}
    assert created.ip == "127.0.0.1"
    post_form(client, f"/account/tokens/{created.object_id}/revoke", {}, page="/account/tokens")
    revoked = _one(db, "api_token.revoked")
    assert (revoked.actor_id, revoked.object_id) == (user.id, created.object_id)


def test_revoking_someone_elses_token_is_404_and_not_audited(client, make_user, db):
    owner, other = make_user(), make_user()
    login(client, owner.email, PASSWORD)
    post_form(client, "/account/tokens", {"name": "mine", "scope": "read"})
    token_id = _one(db, "api_token.created").object_id
    intruder = client.application.test_client()
    login(intruder, other.email, PASSWORD)
    r = post_form(intruder, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens")
    assert r.status_code == 404
    assert not _entries(db, "api_token.revoked")


def test_password_change_is_audited(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    r = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    entry = _one(db, "password.changed")
    assert (entry.actor_id, entry.object_id, entry.ip) == (user.id, user.id, "127.0.0.1")


def test_password_reset_request_and_use_are_audited(client, make_user, db):
    user = make_user()
    post_form(client, "/auth/reset", {"email": user.email})
    post_form(client, "/auth/reset", {"email": "nobody@example.org"})
    assert _one(db, "password.reset_requested").object_id == user.id
    assert _one(db, "password.reset_unknown").details["email"] == "nobody@example.org"
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id))
    raw = re.search(r"/auth/token/(\S+)", mail.body_text).group(1)
    r = post_form(client, f"/auth/token/{raw}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    entry = _one(db, "password.set_by_reset")
    assert (entry.actor_id, entry.object_id, entry.ip) == (user.id, user.id, "127.0.0.1")

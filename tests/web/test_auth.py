"""Sign-in, navigation by role, rate limits, dead cookies, invitations and resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AccountToken, AuditEntry, OutboxMessage, User
from models.base import utcnow
from tests.conftest import PASSWORD
from tests.support import login, post_form

NAV_BY_ROLE = {
    # role -> (labels that must show, labels that must not)
    "admin": ({"Dashboard", "Users", "Outbox"}, set()),
    "coordinator": ({"Dashboard"}, {"Users", "Outbox"}),
    "viewer": ({"Dashboard"}, {"Users", "Outbox"}),
    "sgg": ({"Dashboard"}, {"Users", "Outbox"}),
    "partner": ({"Dashboard"}, {"Users", "Outbox"}),
    "applicant": ({"Dashboard"}, {"Users", "Outbox"}),
}


def _nav_labels(html: str) -> set[str]:
    import re

    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r"<a [^>]*>([^<]+)</a>", nav))


@pytest.mark.parametrize("role", sorted(NAV_BY_ROLE))
def test_every_role_signs_in_and_sees_only_its_navigation(client, make_user, world, role):
    kwargs = {
        "admin": {"role": "admin"},
        "coordinator": {"role": "coordinator"},
        "viewer": {},
        "sgg": {"sgg_id": world["sgg_a"].id},
        "partner": {"org_id": world["pharma"].id},
        "applicant": {"org_id": world["uni"].id, "org_role": "applicant"},
    }[role]
    user = make_user(**kwargs)
    login(client, user.email, PASSWORD)
    page = client.get("/dashboard")
    assert page.status_code == 200
    labels = _nav_labels(page.get_data(as_text=True))
    must, must_not = NAV_BY_ROLE[role]
    assert must <= labels
    assert not (must_not & labels)
    if role != "admin":
        assert client.get("/admin/users").status_code == 403


def test_wrong_password_gets_a_clear_message_and_is_audited(client, make_user, db):
    user = make_user()
    response = post_form(client, "/auth/login", {"email": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out
    actions = [e.action for e in db.scalars(select(AuditEntry))]
    assert "login.failed" in actions


def test_sixth_rapid_wrong_login_for_an_account_is_refused_with_429(client, make_user):
    user = make_user()
    for _ in range(5):
        r = post_form(client, "/auth/login", {"email": user.email, "password": "bad"})
        assert r.status_code == 200
    r = post_form(client, "/auth/login", {"email": user.email, "password": "bad"})
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)
    # even the right password waits out the limit
    r = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429


def test_one_address_trying_many_accounts_is_limited_per_ip(client):
    codes = [
        post_form(client, "/auth/login", {"email": f"u{i}@x.org", "password": "bad"}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429


def test_successful_logins_do_not_count_against_the_limit(client, make_user):
    user = make_user()
    for _ in range(7):
        login(client, user.email, PASSWORD)
        post_form(client, "/auth/logout", {}, page="/dashboard")


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_old_cookie_is_refused_after_logout(app, client, make_user):
    user = make_user()
    login(client, user.email, PASSWORD)
    old = _cookie(client)
    assert client.get("/dashboard").status_code == 200
    post_form(client, "/auth/logout", {}, page="/dashboard")
    replay = app.test_client()
    replay.set_cookie("session", old)
    assert replay.get("/dashboard").status_code == 302


def test_old_cookie_is_refused_after_password_change(app, client, make_user):
    user = make_user()
    login(client, user.email, PASSWORD)
    other_device = app.test_client()
    login(other_device, user.email, PASSWORD)
    old = _cookie(client)
    r = post_form(
        client,
        "/auth/password",
        {
            "current_password": PASSWORD,
            "password": "a brand new secret",
            "confirm": "a brand new secret",
        },
    )
    assert r.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this browser stays in
    assert other_device.get("/dashboard").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old)
    assert replay.get("/dashboard").status_code == 302


def test_wrong_current_password_changes_nothing(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    r = post_form(
        client,
        "/auth/password",
        {"current_password": "wrong", "password": "another secret!", "confirm": "another secret!"},
    )
    assert r.status_code == 422
    assert "current password is not right" in r.get_data(as_text=True)
    assert 'id="current_password-err"' in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, user.id).session_token == user.session_token


def _token_from_outbox(db, event: str) -> str:
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.event == event).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None
    link = next(line for line in message.body_text.splitlines() if "/auth/token/" in line)
    return link.strip().rsplit("/", 1)[1]


def test_invitation_by_email_is_single_use(app, client, make_user, db):
    admin = make_user(role="admin")
    login(client, admin.email, PASSWORD)
    r = post_form(
        client, "/admin/users", {"name": "Nadia", "email": "nadia@x.org", "role": "coordinator"}
    )
    assert r.status_code == 302
    token = _token_from_outbox(db, "account.invite")
    guest = app.test_client()
    r = post_form(
        guest, f"/auth/token/{token}", {"password": "nadia's long pw", "confirm": "nadia's long pw"}
    )
    assert r.status_code == 302
    assert guest.get("/dashboard").status_code == 200
    again = app.test_client()
    r = again.get(f"/auth/token/{token}")
    assert r.status_code == 409 and "already been used" in r.get_data(as_text=True)
    login(again, "nadia@x.org", "nadia's long pw")


def test_password_reset_token_expires(app, client, make_user, db):
    user = make_user()
    r = post_form(client, "/auth/reset", {"email": user.email})
    assert r.status_code == 302
    token = _token_from_outbox(db, "account.reset")
    row = db.scalars(select(AccountToken).where(AccountToken.purpose == "reset")).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    r = client.get(f"/auth/token/{token}")
    assert r.status_code == 409 and "expired" in r.get_data(as_text=True)


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db):
    r = post_form(client, "/auth/reset", {"email": "nobody@x.org"}, follow_redirects=True)
    assert "If an account exists" in r.get_data(as_text=True)
    assert db.scalars(select(OutboxMessage)).first() is None


def test_short_new_password_is_refused_beside_the_field(app, client, make_user, db):
    user = make_user()
    post_form(client, "/auth/reset", {"email": user.email})
    token = _token_from_outbox(db, "account.reset")
    r = post_form(client, f"/auth/token/{token}", {"password": "short", "confirm": "short"})
    assert r.status_code == 422
    assert 'id="password-err"' in r.get_data(as_text=True)
    assert client.get(f"/auth/token/{token}").status_code == 200  # still usable


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user()
    r = post_form(
        client,
        "/auth/login?next=https://evil.example/x",
        {"email": user.email, "password": PASSWORD},
        page="/auth/login",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")


def test_sign_in_page_links_to_the_public_calls(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/public/calls/"' in page
    assert client.get("/public/calls/").status_code == 200  # open without an account

"""Answers carrying secrets or personal data are never stored (Cache-Control: no-store):
the page showing a new API token, the account and administration pages, the inbox, every
API answer; an API 401 says how to authenticate (WWW-Authenticate: Bearer)."""

from __future__ import annotations

from services.accounts import api_tokens
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.support import login, post_form


def test_the_new_token_page_and_account_pages_are_not_stored(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    login(client, admin.email, PASSWORD)
    created = post_form(client, "/account/tokens", {"name": "ci", "scope": "read"})
    assert created.status_code == 200 and "pm_" in created.get_data(as_text=True)
    assert created.headers["Cache-Control"] == "no-store"
    for path in ("/account/tokens", "/auth/password", "/admin/users", "/inbox/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path


def test_every_api_answer_is_not_stored_and_401_names_the_scheme(app, db, make_user):
    user = make_user()
    _token, raw = api_tokens.create_token(db, RequestContext(user), name="t", scope="read")
    db.commit()
    client = app.test_client()
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.headers["Cache-Control"] == "no-store"
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="Partnering Machine API"'
    wrong = client.get("/api/v1/topics", headers={"Authorization": "Bearer pm_wrong"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"

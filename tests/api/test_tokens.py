"""Personal API tokens: shown once, stored hashed, scoped, revocable, audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from models import ApiToken, AuditEntry, Call
from tests.api.conftest import bearer
from tests.conftest import PASSWORD
from tests.support import login, post_form


def test_token_is_shown_once_and_stored_hashed(client, make_user, db):
    user = make_user()
    login(client, user.email, PASSWORD)
    r = post_form(client, "/account/tokens", {"name": "script", "scope": "read"})
    assert r.status_code == 200
    raw = re.search(r'<code id="new-token">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    stored = db.scalars(select(ApiToken)).one()
    assert raw not in (stored.token_hash, stored.prefix) and raw.startswith(stored.prefix)
    assert raw not in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["email"] == user.email
    actions = [e.action for e in db.scalars(select(AuditEntry))]
    assert "api_token.created" in actions


def test_revoked_token_is_refused_and_revocation_audited(client, make_user, db, token_for):
    user = make_user()
    raw = token_for(user)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    login(client, user.email, PASSWORD)
    token_id = db.scalars(select(ApiToken)).one().id
    r = post_form(client, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens")
    assert r.status_code == 302
    r = client.get("/api/v1/me", headers=bearer(raw))
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert "revoked" in r.get_json()["detail"]
    db.rollback()  # end the test's read snapshot
    assert "api_token.revoked" in [e.action for e in db.scalars(select(AuditEntry))]


def test_cannot_revoke_someone_elses_token(client, make_user, db, token_for):
    owner, other = make_user(), make_user()
    token_for(owner)
    token_id = db.scalars(select(ApiToken)).one().id
    login(client, other.email, PASSWORD)
    r = post_form(client, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens")
    assert r.status_code == 404  # someone else's token: no hint that it exists
    db.expire_all()
    assert db.get(ApiToken, token_id).revoked_at is None


def test_missing_or_garbage_token_is_401_problem_json(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 401
        assert r.mimetype == "application/problem+json"
        assert r.get_json()["title"] == "Not signed in"


def test_read_token_cannot_write_and_write_token_can(client, make_user, token_for, db):
    user = make_user()
    read, write = token_for(user, scope="read"), token_for(user, scope="write")
    r = client.patch("/api/v1/me", headers=bearer(read), json={"name": "New"})
    assert r.status_code == 403
    assert "read-only" in r.get_json()["detail"]
    r = client.patch("/api/v1/me", headers=bearer(write), json={"name": ""})
    assert r.status_code == 422 and "name" in r.get_json()["errors"]
    r = client.patch("/api/v1/me", headers=bearer(write), json={"name": "New name"})
    assert r.status_code == 200 and r.get_json()["name"] == "New name"


def test_cursor_pagination_is_stable(client, make_user, token_for, world, db):
    for i in range(7):
        db.add(
            Call(
                programme_id=world["programme"].id,
                identifier=f"C-{i}",
                title=f"Call {i}",
                call_type="single_stage",
                stage1_deadline=datetime(2030, 1, 1, tzinfo=UTC),
            )
        )
    db.commit()
    raw = token_for(make_user())
    seen, cursor = [], None
    while True:
        url = "/api/v1/calls?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=bearer(raw)).get_json()
        seen += [c["identifier"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        # a call created mid-way does not shift the pages already walked
        db.add(
            Call(
                programme_id=world["programme"].id,
                identifier=f"NEW-{len(seen)}",
                title="n",
                call_type="single_stage",
            )
        )
        db.commit()
    assert seen[:7] == [f"C-{i}" for i in range(7)]
    assert len(seen) == len(set(seen))
    r = client.get("/api/v1/calls?cursor=%%%", headers=bearer(raw))
    assert r.status_code == 400
    r = client.get("/api/v1/calls?limit=0", headers=bearer(raw))
    assert r.status_code == 422 and "limit" in r.get_json()["errors"]


def test_openapi_document_is_3_1_and_errors_are_problem_json(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    default = doc["components"]["responses"]["DEFAULT_ERROR"]
    assert "application/problem+json" in default["content"]
    assert client.get("/api/v1/docs").status_code == 200

"""The text guard at the edge (webapp/guard.py): NUL bytes and lone surrogates in the path,
headers, query strings, forms and JSON bodies, and deeply nested JSON, are refused with a
clear message (400; 422 for a form), the error page renders, and nothing is written. Run it
on PostgreSQL too: there a NUL that reached the database was a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security import authz_world
from tests.security.test_authz_matrix import Sessions, fingerprint

NUL, SURROGATE = "\x00", "\ud800"


def _cases(w: dict[str, Any]) -> list[tuple[str, str, str, str, Any, int, str]]:
    """(role, method, url, kind, payload, status, words in the message)."""
    topic = w["topic_a"]
    return [
        # forms (422), the sign-in first: refused before any account is looked up
        ("anonymous", "POST", "/auth/login", "form",
         {"email": f"rep-x{NUL}@example.org", "password": "x"}, 422, "NUL"),
        ("anonymous", "POST", "/auth/login", "form",
         {"email": "rep-x@example.org", "password": f"pw{NUL}"}, 422, "NUL"),
        ("anonymous", "POST", "/auth/reset", "form", {"email": f"a{NUL}@b.org"}, 422, "NUL"),
        ("viewer", "POST", "/account/tokens", "form",
         {"name": f"tok{NUL}en", "scope": "read"}, 422, "NUL"),
        ("sgg_a", "POST", f"/topics/{topic}/comments", "form",
         {"body": f"hello{NUL}", "level": "all"}, 422, "NUL"),
        ("sgg_a", "POST", "/topics/new", "form",
         {"sgg_id": str(w["sgg_a"]), "title": f"An idea{NUL}"}, 422, "NUL"),
        ("admin", "POST", "/admin/users", "form",
         {"email": f"new{NUL}@example.org", "name": "New", "role": "viewer"}, 422, "NUL"),
        ("sgg_a", "POST", f"/topics/{topic}/comments", "form",
         {f"body{NUL}": "hello", "level": "all"}, 422, "NUL"),
        # query strings and the path (400)
        ("viewer", "GET", f"/topics/?q=a{NUL}b", "query", None, 400, "NUL"),
        ("viewer", "GET", f"/organisations/?q={NUL}", "query", None, 400, "NUL"),
        ("admin", "GET", f"/admin/outbox?status={NUL}", "query", None, 400, "NUL"),
        ("admin", "GET", f"/admin/users?page=1{NUL}", "query", None, 400, "NUL"),
        ("anonymous", "GET", f"/auth/token/abc{NUL}def", "path", None, 400, "NUL"),
        ("viewer", "GET", f"/api/v1/topics?q={NUL}", "api", None, 400, "NUL"),
        ("viewer", "GET", f"/api/v1/organisations?q=x{NUL}", "api", None, 400, "NUL"),
        # JSON bodies (400)
        ("sgg_a", "POST", "/api/v1/topics", "api",
         {"sgg_id": w["sgg_a"], "title": f"Idea{NUL}"}, 400, "NUL"),
        ("sgg_a", "POST", "/api/v1/topics", "api",
         {"sgg_id": w["sgg_a"], "title": f"Idea{SURROGATE}"}, 400, "surrogate"),
        ("sgg_a", "POST", "/api/v1/topics", "api",
         {"sgg_id": w["sgg_a"], f"title{NUL}": "Idea"}, 400, "NUL"),
        ("sgg_a", "PATCH", f"/api/v1/topics/{topic}", "api",
         {"version": 1, "keywords": ["ok", f"b{SURROGATE}"]}, 400, "surrogate"),
        ("sgg_a", "POST", "/api/v1/topics", "raw", "[" * 2000 + "]" * 2000, 400, "nested"),
        ("sgg_a", "POST", "/api/v1/topics", "raw", '{"a":' * 40 + "1" + "}" * 40, 400, "nested"),
        # headers we read (400)
        ("viewer", "GET", "/dashboard", "header", {"User-Agent": f"x{NUL}"}, 400, "NUL"),
        ("anonymous", "GET", "/api/v1/me", "header",
         {"Authorization": f"Bearer pm_{NUL}"}, 400, "NUL"),
    ]  # fmt: skip


def _send(sessions: Sessions, world: dict, role: str, method: str, url: str, kind: str, payload):
    client = sessions.clients[role]
    headers = {}
    if kind in ("api", "raw") and role != "anonymous":
        headers["Authorization"] = f"Bearer {world['api_raw'][role]}"
    if kind == "form":
        data = {**payload, "csrf_token": sessions.tokens[role]}
        return client.open(url, method=method, data=data)
    if kind == "raw":
        return client.open(
            url, method=method, data=payload, headers=headers, content_type="application/json"
        )
    if kind == "header":
        return client.open(url, method=method, headers=payload)
    if kind == "api" and payload is not None:
        return client.open(url, method=method, json=payload, headers=headers)
    return client.open(url, method=method, headers=headers)


@pytest.fixture
def guard_world(app, db) -> dict[str, Any]:
    return authz_world.build(db)


def test_bad_text_is_refused_at_the_edge_and_nothing_is_written(app, guard_world):
    from webapp.extensions import limiter

    sessions = Sessions(app, guard_world)
    engine = app.extensions["partnering.engine"]
    before = fingerprint(engine)
    failures = []
    limiter.enabled = False
    try:
        for role, method, url, kind, payload, status, words in _cases(guard_world):
            response = _send(sessions, guard_world, role, method, url, kind, payload)
            body = response.get_data(as_text=True)
            label = f"{method} {url!r} ({kind}) as {role}"
            if response.status_code != status or words not in body:
                failures.append(f"{label}: {response.status_code} {body[:300]!r}")
            elif "nothing was saved" not in body:
                failures.append(f"{label}: the message does not say nothing was saved")
            page = kind in ("form", "query", "path", "header") and not url.startswith("/api/")
            if page and ("<html" not in body or "Partnering Machine" not in body):
                failures.append(f"{label}: the error page did not render")
    finally:
        limiter.enabled = True
    assert not failures, "\n".join(failures)
    after = fingerprint(engine)
    changed = [t for t in before if before[t] != after[t]]
    assert not changed, f"refused requests changed the tables {changed}"


def test_good_text_still_passes(app, guard_world):
    """Tabs, newlines, accents and astral characters (a valid surrogate *pair* in JSON) are
    text like any other."""
    sessions = Sessions(app, guard_world)
    response = _send(
        sessions,
        guard_world,
        "sgg_a",
        "POST",
        "/api/v1/topics",
        "raw",
        '{"sgg_id": ' + str(guard_world["sgg_a"]) + ', "title": "Id\\u00e9e \\ud83e\\uddea\\tok"}',
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["title"] == "Idée \U0001f9ea\tok"

"""The authorization matrix: every route of the URL map x every role x own/other objects.

Each endpoint has one or more rows in RULES (authz_rules.py, authz_rules_api.py): the URL
arguments (names of objects in the world of ``authz_world``), the roles allowed, and what
the others get. A
route without a rule fails the test, naming it, so a new route cannot ship without deciding
who may use it.

Outcomes: "ok" (anything but a denial and never a 5xx: a form error or a 409 is fine for an
empty POST), "login" (redirect to the sign-in page), 401, 403, 404 (a hidden object).
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.security import authz_world
from tests.security.authz_rules import RULES as WEB_RULES
from tests.security.authz_rules import Row
from tests.security.authz_rules_api import API_RULES
from tests.security.authz_world import CSRF_IN_BODY, ROLES
from tests.support import login

RULES = {**WEB_RULES, **API_RULES}

# Requests that end or rotate the session run last, and their role signs in again after.
LAST = ("auth.logout", "auth.change_password", "auth.login")


def is_api(rule: Any) -> bool:
    return rule.rule.startswith("/api/")


def outcome(response: Any) -> Any:
    status = response.status_code
    if status in (301, 302, 303) and "/auth/login" in response.headers.get("Location", ""):
        return "login"
    if status in (401, 403, 404):
        return status
    if status >= 500:
        return f"5xx ({status})"
    return "ok"


class Sessions:
    """One signed-in test client per role, reused; CSRF token taken from <body hx-headers>."""

    def __init__(self, app: Any, world: dict[str, Any]) -> None:
        self.app, self.world = app, world
        self.clients: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}
        for role in ROLES:
            self.sign_in(role)

    def sign_in(self, role: str) -> None:
        client = self.app.test_client()
        if role != "anonymous":
            login(client, self.world["emails"][role], PASSWORD)
        page = client.get("/dashboard" if role != "anonymous" else "/auth/login")
        match = CSRF_IN_BODY.search(page.get_data(as_text=True))
        assert match, f"no CSRF token in <body> for {role}"
        self.clients[role], self.tokens[role] = client, match.group(1)

    def refresh(self, role: str) -> None:
        """Sign in again if the last request ended or rotated the session."""
        if outcome(self.clients[role].get("/dashboard")) == "login":
            self.sign_in(role)

    def request(self, role: str, method: str, url: str, api: bool, data: dict) -> Any:
        client = self.clients[role]
        if api:
            headers = {}
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {self.world['api_raw'][role]}"
            body = None if method == "GET" else data
            return client.open(url, method=method, headers=headers, json=body)
        if method == "GET":
            return client.get(url)
        return client.open(url, method=method, data={**data, "csrf_token": self.tokens[role]})


def value_of(name: str, role: str, world: dict[str, Any]) -> Any:
    """``=text`` is literal; any other name is an object of the world."""
    if name.startswith("="):
        return name[1:]
    value = world[name]
    # A per-role object (the user's own); anonymous has none, so any id will do.
    return value.get(role, 999999) if isinstance(value, dict) else value


def resolve(app: Any, rule: Any, row: Row, role: str, world: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for arg in rule.arguments:
        name = row.args.get(arg)
        assert name is not None, f"{rule.endpoint}: the rule gives no value for <{arg}>"
        values[arg] = value_of(name, role, world)
    with app.test_request_context():
        url = rule.build(values, append_unknown=False)[1]
    query = {k[1:]: value_of(v, role, world) for k, v in row.args.items() if k[0] == "?"}
    return url + ("?" + urlencode(query) if query else "")


# What a refused request may still touch: the audit log (sign-outs), the sign-in bookkeeping
# and the last use of the API token it authenticated with.
VOLATILE_TABLES = {"audit_log", "heartbeats"}
VOLATILE_COLUMNS = {"session_token", "last_login_at", "last_used_at"}


def fingerprint(engine: Any) -> dict[str, list[tuple]]:
    """Every row of every table (but the volatile parts), to prove refusals change nothing."""
    import models

    out = {}
    with engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            cols = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
            rows = conn.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows), key=repr)
    return out


def _routes(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_has_a_rule(app):
    missing = sorted({r.endpoint for r in _routes(app)} - RULES.keys())
    assert not missing, (
        "routes without a rule in tests/security/test_authz_matrix.py RULES "
        f"(decide who may use them): {', '.join(missing)}"
    )
    stale = sorted(RULES.keys() - {r.endpoint for r in _routes(app)})
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


@pytest.fixture
def matrix_world(app, db) -> dict[str, Any]:
    return authz_world.build(db)


def test_authorization_matrix(app, matrix_world):
    from webapp.extensions import limiter

    world = matrix_world
    sessions = Sessions(app, world)
    cases = []
    for rule in _routes(app):
        for row in RULES.get(rule.endpoint, []):
            methods = row.methods or tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
            for method in methods:
                cases.append((rule, row, method))
    # Reads first, then writes; the session-ending routes last.
    cases.sort(key=lambda c: (c[0].endpoint in LAST, c[2] != "GET"))
    # Two passes: every refusal first (a refused request changes nothing), then the allowed
    # requests, whose writes cannot then alter what a refused role would have seen.
    passes = [
        (rule, row, method, role, allowed)
        for allowed in (False, True)
        for rule, row, method in cases
        for role in ROLES
        if (row.expect(role, is_api(rule)) == "ok") == allowed
    ]
    failures, seen = [], []
    engine = app.extensions["partnering.engine"]
    before = fingerprint(engine)
    limiter.enabled = False
    try:
        for rule, row, method, role, allowed in passes:
            if allowed and before is not None:
                after = fingerprint(engine)
                changed = [t for t in before if before[t] != after[t]]
                assert not changed, f"refused requests changed the tables {changed}"
                before = None
            api = is_api(rule)
            url = resolve(app, rule, row, role, world)
            data = {k: value_of(v, role, world) for k, v in row.data.items()}
            want = row.expect(role, api)
            started = time.perf_counter()
            got = outcome(sessions.request(role, method, url, api, data))
            took = time.perf_counter() - started
            seen.append(f"{took:6.3f} {rule.endpoint:32} {method:5} {url:60} {role:12} {got}")
            if got != want:
                failures.append(
                    f"{rule.endpoint} {method} {url} as {role}: got {got}, expected {want}"
                )
            if rule.endpoint in LAST and method != "GET" and role != "anonymous":
                sessions.refresh(role)
    finally:
        limiter.enabled = True
    if os.environ.get("AUTHZ_DUMP"):
        print("\n".join(seen))
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures)

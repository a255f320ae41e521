"""One log line per request (method, path, status, duration, user id, request id), JSON
lines with LOG_FORMAT=json, X-Request-ID taken or generated and returned, and no secret in
the log: passwords, API tokens, reset links, session cookies."""

from __future__ import annotations

import dataclasses
import json

import pytest

from services.accounts import api_tokens
from services.accounts import users as accounts
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.support import login


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, log_format="json")


def _lines(capsys) -> list[dict]:
    err = capsys.readouterr().err
    return [
        json.loads(line)
        for line in err.splitlines()
        if line.startswith("{") and '"partnering.request"' in line
    ]


def test_each_request_is_one_json_line_without_secrets(app, db, make_user, capsys):
    user = make_user()
    _token, raw = api_tokens.create_token(db, RequestContext(user), name="t", scope="read")
    link_token = accounts._issue_token(db, user, "reset", hours=1)
    db.commit()
    client = app.test_client()
    capsys.readouterr()

    login(client, user.email, PASSWORD)
    api = client.get("/api/v1/me?x=1", headers={"Authorization": f"Bearer {raw}"})
    given = client.get("/dashboard", headers={"X-Request-ID": "lb-1234.abc"})
    client.get(f"/auth/token/{link_token}")
    forged = client.get("/dashboard", headers={"X-Request-ID": "bad id; with spaces"})
    refused = client.get("/topics/?q=%00")

    err_lines = _lines(capsys)
    assert [(r["method"], r["path"], r["status"]) for r in err_lines] == [
        ("GET", "/auth/login", 200),
        ("POST", "/auth/login", 302),
        ("GET", "/api/v1/me", 200),
        ("GET", "/dashboard", 200),
        ("GET", "/auth/token/<token>", 200),
        ("GET", "/dashboard", 200),
        ("GET", "/topics/", 400),
    ]
    for record in err_lines:
        assert set(record) >= {"time", "level", "duration_ms", "user_id", "request_id"}
        assert record["duration_ms"] >= 0
    assert err_lines[2]["user_id"] == user.id and err_lines[3]["user_id"] == user.id
    assert err_lines[0]["user_id"] is None
    # The request id: the caller's when it is a plain token, else a new one; returned.
    assert given.headers["X-Request-ID"] == "lb-1234.abc" == err_lines[3]["request_id"]
    assert api.headers["X-Request-ID"] == err_lines[2]["request_id"]
    assert forged.headers["X-Request-ID"] != "bad id; with spaces"
    assert len(forged.headers["X-Request-ID"]) == 32
    assert refused.headers["X-Request-ID"] == err_lines[6]["request_id"]
    text = json.dumps(err_lines)
    cookie = client.get_cookie("session")
    for secret in (PASSWORD, raw, link_token, cookie.value if cookie else "no-cookie"):
        assert secret not in text


def test_text_lines_by_default(app, capsys):
    from webapp import request_log

    request_log.configure("text")
    app.test_client().get("/health/live", headers={"X-Request-ID": "abc"})
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "partnering.request" in x)
    assert "method=GET path=/health/live status=200" in line and "request_id=abc" in line

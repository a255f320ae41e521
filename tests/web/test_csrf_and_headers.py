"""CSRF on every form route (walked from the URL map), headers, and error pages."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD
from tests.support import login


def _post_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        values = {arg: "1" for arg in rule.arguments}
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values[arg], path)
        urls.append(path)
    return urls


def test_there_are_form_routes_to_check(app):
    assert len(_post_urls(app)) >= 5


def test_post_without_csrf_token_is_refused_everywhere(app, make_user):
    anonymous = app.test_client()
    admin = make_user(role="admin")
    signed_in = app.test_client()
    login(signed_in, admin.email, PASSWORD)
    for url in _post_urls(app):
        if url.startswith("/api/"):
            continue  # the API authenticates with tokens, not cookies
        for client in (anonymous, signed_in):
            r = client.post(url, data={"anything": "x"})
            assert r.status_code == 400, (url, r.status_code)
            assert "security token" in r.get_data(as_text=True)


def test_security_headers_and_csp_only_self(client):
    r = client.get("/auth/login")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Referrer-Policy" in r.headers
    assert "<script>" not in r.get_data(as_text=True)  # no inline scripts


def test_error_pages_say_what_happened(client, make_user):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "There is nothing at this address" in r.get_data(as_text=True)
    user = make_user()
    login(client, user.email, PASSWORD)
    r = client.get("/admin/users")
    assert r.status_code == 403 and "administrators" in r.get_data(as_text=True)


def test_upload_too_large_is_413_with_message(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post("/auth/login", data={"email": "x" * 5000})
    assert r.status_code == 413
    assert "larger than the limit" in r.get_data(as_text=True)


def test_json_clients_get_problem_json(client):
    r = client.get("/nothing-here", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["title"] == "Not found"


def test_static_files_are_vendored(client):
    assert client.get("/static/vendor/htmx-2.0.4.min.js").status_code == 200
    html = client.get("/auth/login").get_data(as_text=True)
    assert "//cdn" not in html and "https://" not in html

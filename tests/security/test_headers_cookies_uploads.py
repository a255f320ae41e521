"""Transport-level protections: a strict CSP on every main page, production cookie flags,
and upload limits answered with 413 and a clear message."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace

from sqlalchemy import func, select

from models import ImportRun
from tests.conftest import PASSWORD
from tests.support import csrf_from, login

# The main pages of each area, as the roles who use them see them.
PAGES = {
    "anonymous": ["/auth/login", "/auth/reset", "/public/calls/", "/api/v1/docs"],
    "admin": [
        "/dashboard",
        "/topics/",
        "/topics/new",
        "/calls/",
        "/calls/new",
        "/organisations/",
        "/organisations/imports",
        "/organisations/duplicates",
        "/pledges/funding",
        "/pledges/applications",
        "/consortia/",
        "/consortia/invitations",
        "/consortia/expertise-index",
        "/inbox/",
        "/inbox/settings",
        "/admin/users",
        "/admin/outbox",
        "/admin/background",
        "/account/tokens",
        "/auth/password",
    ],
}


def _check_csp(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, url
    assert "script-src 'self'" in csp, url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (url, csp)
    assert "frame-ancestors 'none'" in csp, url
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html, f"inline script/style on {url}"
    assert " onclick=" not in html and " onload=" not in html, f"inline handler on {url}"


def test_strict_csp_on_every_main_page(app, make_user, world):
    anonymous = app.test_client()
    for url in PAGES["anonymous"]:
        r = anonymous.get(url)
        assert r.status_code == 200, url
        _check_csp(r, url)
    admin = make_user("admin")
    client = app.test_client()
    login(client, admin.email, PASSWORD)
    for url in PAGES["admin"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        _check_csp(r, url)


def test_production_cookies_are_secure_httponly_samesite(settings, make_user):
    from webapp import create_app

    user = make_user()
    prod = replace(settings, secure_cookies=True, ratelimit_prefix=f"pmprod-{uuid.uuid4().hex}")
    app = create_app(prod, TESTING=True)
    app.config["WTF_CSRF_SSL_STRICT"] = False  # the test client sends no Referer
    try:
        client = app.test_client()
        page = client.get("/auth/login", base_url="https://testserver")
        token = csrf_from(page.get_data(as_text=True))
        response = client.post(
            "/auth/login",
            base_url="https://testserver",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302  # signed in: the session was rotated
        set_cookies = response.headers.getlist("Set-Cookie")
        session_cookies = [h for h in set_cookies if h.startswith("session=")]
        assert session_cookies, f"no session cookie on the login response: {set_cookies}"
        for header in set_cookies:
            flags = {part.strip().lower() for part in header.split(";")}
            assert "secure" in flags and "httponly" in flags, header
            assert "samesite=lax" in flags or "samesite=strict" in flags, header
        # Flask-Login's remember-me cookie is never given a value: it is only ever cleared.
        for header in set_cookies:
            if header.startswith("remember_token="):
                assert header.startswith("remember_token=;") and "Max-Age=0" in header
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["partnering.engine"].dispose()


def test_organisation_import_upload_over_the_limit_is_413_and_saves_nothing(
    app, client, make_user, db
):
    admin = make_user("admin")
    login(client, admin.email, PASSWORD)
    token = csrf_from(client.get("/organisations/imports").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = io.BytesIO(b"id;title\n" + b"1;x\n" * 40_000)
    r = client.post(
        "/organisations/imports",
        data={
            "csrf_token": token,
            "projects": (big, "project.csv"),
            "organisations": (io.BytesIO(b"projectID;name\n"), "organization.csv"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 413
    text = r.get_data(as_text=True)
    assert "larger than the limit of 64 KB" in text and "Nothing was saved" in text
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ImportRun)) == 0

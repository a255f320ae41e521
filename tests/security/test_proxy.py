"""Behind TRUSTED_PROXIES reverse proxies the client address is the one the nearest proxy
put in X-Forwarded-For (ProxyFix); with none (the default) that header is anyone's and is
ignored. The sign-in limits and the audit log both use the address so decided."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from models import AuditEntry
from tests.conftest import PASSWORD
from tests.support import csrf_from

PROXY = "10.0.0.2"  # the address the app sees: the proxy's


@pytest.fixture(params=[0, 1], ids=["no-trusted-proxy", "one-trusted-proxy"])
def settings(settings, request):
    return dataclasses.replace(settings, trusted_proxies=request.param)


def _sign_in(client, email: str, password: str, forwarded: str):
    headers = {"X-Forwarded-For": forwarded}
    page = client.get("/auth/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
        environ_base={"REMOTE_ADDR": PROXY},
    )


def test_the_audit_log_records_the_client_only_through_a_trusted_proxy(
    app, db, make_user, settings
):
    user = make_user()
    # A client forged the first entry; the trusted proxy appended the address it saw.
    response = _sign_in(app.test_client(), user.email, PASSWORD, "192.0.2.66, 203.0.113.9")
    assert response.status_code == 302
    db.rollback()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    assert entry.ip == ("203.0.113.9" if settings.trusted_proxies else PROXY)


def test_the_per_address_limit_counts_clients_only_through_a_trusted_proxy(app, settings):
    client = app.test_client()
    codes = [
        _sign_in(client, f"u{i}@example.org", "bad", "203.0.113.9").status_code for i in range(10)
    ]
    assert codes == [200] * 10  # ten failures from one client: its limit is reached
    again = _sign_in(client, "u10@example.org", "bad", "203.0.113.9").status_code
    other = _sign_in(client, "u11@example.org", "bad", "203.0.113.10").status_code
    assert again == 429
    if settings.trusted_proxies:
        assert other == 200  # another client behind the same proxy is not refused
    else:
        assert other == 429  # a forged X-Forwarded-For does not buy a fresh limit


def test_the_setting_comes_from_the_environment():
    from services.core.config import load_settings

    assert load_settings({}).trusted_proxies == 0
    assert load_settings({"TRUSTED_PROXIES": "2"}).trusted_proxies == 2

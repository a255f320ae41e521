"""The programme settings page: admins only, field errors with 422 and nothing saved, the
change history (who, what, from, to)."""

from __future__ import annotations

from decimal import Decimal

from services.programmes import settings as rules
from tests.conftest import PASSWORD
from tests.support import csrf_from, login


def _form(programme, html: str, **changes: str) -> dict[str, str]:
    data = vars(rules.RulesInput.of(programme)) | changes
    return {**data, "csrf_token": csrf_from(html)}


def test_admin_changes_settings_and_sees_who_changed_what(client, db, world, make_user):
    programme = world["programme"]
    admin = make_user("admin", email="ada.admin@example.org")
    login(client, admin.email, PASSWORD)
    assert 'href="/admin/programmes"' in client.get("/admin/programmes").get_data(as_text=True)
    url = f"/admin/programmes/{programme.id}/settings"
    html = client.get(url).get_data(as_text=True)
    assert 'value="213,000,000.00"' in html and 'value="Europe/Brussels"' in html
    bad = _form(programme, html, threshold_total="16", timezone="Europe/Atlantis")
    answer = client.post(url, data=bad)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Scores go from 0 to 15 in half points" in page and "not an IANA time zone" in page
    assert 'value="Europe/Atlantis"' in page  # what was typed is kept
    db.rollback()  # a fresh read of what the requests committed
    db.refresh(programme)
    assert programme.threshold_total == Decimal("10") and programme.timezone == "Europe/Brussels"
    good = _form(programme, html, min_contribution_share="50", reminder_days="10,3")
    answer = client.post(url, data=good)
    assert answer.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Minimum contribution share, Deadline reminders (days before)" in page
    assert "<td>ada.admin</td><td>Minimum contribution share</td><td>45 %</td><td>50 %</td>" in page
    db.rollback()  # a fresh read of what the requests committed
    db.refresh(programme)
    assert programme.min_contribution_share == Decimal("0.5") and programme.reminder_days == "10,3"


def test_settings_are_for_admins_only(client, world, make_user):
    url = f"/admin/programmes/{world['programme'].id}/settings"
    login(client, make_user("coordinator").email, PASSWORD)
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code in (400, 403)
    admin_client = client.application.test_client()
    login(admin_client, make_user("admin").email, PASSWORD)
    assert admin_client.get("/admin/programmes/999/settings").status_code == 404

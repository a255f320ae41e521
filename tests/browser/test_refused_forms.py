"""A refused form in chromium: the answer's status is the refusal's (409, 422), and what the
browser shows is the form again with the reason beside the field and what was typed, not an
error page (webapp.refusals). Screenshots in test-artifacts/browser/refusals/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def shots() -> Path:
    folder = ARTIFACTS / "refusals"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def _submit(page: Page, button: str) -> int:
    """Click a form's submit button; the status of the POST it sent."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return answer.value.status


def test_refused_invitation_and_organisation_edit_show_the_form(
    browser: Browser, live_server: str, db, world, make_user, shots: Path
) -> None:
    admin = make_user("admin")
    taken = make_user("viewer", email="taken@example.org")
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")

    page.goto("/admin/users")
    page.get_by_label("Full name").fill("Someone Again")
    page.get_by_label("Email").fill(taken.email)
    assert _submit(page, "Send invitation") == 409
    page.screenshot(path=shots / "1-invite-address-taken.png", full_page=True)
    expect(page.get_by_text("Already taken.")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Someone Again")
    expect(page.get_by_role("heading", name="Conflict")).to_have_count(0)

    uni = world["uni"]
    page.goto(f"/organisations/{uni.id}/edit")
    page.get_by_label("Country").fill("ZZ")
    page.get_by_label("City").fill("Atlantis")
    assert _submit(page, "Save") == 422
    page.screenshot(path=shots / "2-organisation-bad-country.png", full_page=True)
    expect(page.get_by_text("Choose a country")).to_be_visible()
    expect(page.get_by_label("City")).to_have_value("Atlantis")
    db.rollback()
    db.refresh(uni)
    assert (uni.country, uni.city) == ("DE", None)

    page.get_by_label("Country").fill("DE")
    assert _submit(page, "Save") == 302  # fixed: saved, and on to the profile
    expect(page).to_have_url(f"{live_server}/organisations/{uni.id}")
    context.close()

"""A coordinator assigns reviewers in a real browser: the picker offers programme reviewers
only and narrows as one types; a reviewer with a conflict is refused with the reason, then
assigned with a recorded override reason; the reviewer then sees the request and its
deadline in the inbox and on the topic. Screenshots in ``test-artifacts/browser/reviews/``;
the picker and the topic page are checked with axe-core and for CSP errors."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import models
from services.topics import review_assignments
from tests.browser.axe import serious_violations
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.topic_support import make_topic, person

pytestmark = pytest.mark.slow
CSP_ERROR = re.compile(r"Content Security Policy|Refused to (execute|apply|load)", re.I)


@pytest.fixture
def shots() -> Path:
    folder = ARTIFACTS / "reviews"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def _sign_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_coordinator_assigns_a_conflicted_reviewer_only_with_a_reason(
    browser: Browser, live_server: str, db, world, make_user, shots: Path
) -> None:
    topic = make_topic(db, world, "consultation", title="Adjuvants for infant vaccines")
    coordinator = make_user("coordinator", email="carla.office@example.org")
    rep = make_user(email="rita.rep@example.org", org_id=world["pharma"].id)
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=rep.id))
    person(db, world, reviewer=True, email="frank.free@example.org")
    person(db, world, email="rita.applicant@example.org", org=world["uni"], org_role="applicant")
    due = review_assignments.local_today(topic) + timedelta(days=10)
    console: list[str] = []

    boss = _sign_in(browser, live_server, coordinator.email)
    boss.on("console", lambda msg: console.append(f"{boss.url} {msg.text}"))
    boss.goto(f"/topics/{topic.id}")
    boss.get_by_role("link", name="Assign a reviewer").click()
    expect(boss.get_by_role("heading", name="2 programme reviewers")).to_be_visible()
    expect(boss.get_by_text("rita.applicant@example.org")).to_have_count(0)
    conflicts = boss.get_by_role("list", name="Conflicts of rita.rep")
    expect(conflicts).to_contain_text("Partner representative of Pharma One AG")
    boss.screenshot(path=shots / "1-picker.png", full_page=True, caret="initial")

    boss.get_by_label("Find a programme reviewer").press_sequentially("rit", delay=30)
    expect(boss.get_by_role("heading", name="1 programme reviewer matching “rit”")).to_be_visible()
    expect(boss.get_by_text("frank.free@example.org")).to_have_count(0)
    assert "q=rit" in boss.url  # htmx keeps the address in step: the search is linkable
    boss.screenshot(path=shots / "2-search-as-you-type.png", full_page=True, caret="initial")

    boss.get_by_label("Review by").fill(due.isoformat())
    boss.get_by_role("button", name="Assign rita.rep despite the conflict").click()
    refusal = boss.locator(".flash-error")
    expect(refusal).to_contain_text("rita.rep was not assigned: a conflict of interest")
    expect(refusal).to_contain_text("in this topic's industry consortium")
    boss.screenshot(path=shots / "3-refused-with-reason.png", full_page=True, caret="initial")
    # Only after the htmx swaps: axe (and a screenshot hiding the caret) leave empty style
    # attributes on inputs, which htmx's settling would copy onto the swapped-in inputs.
    problems = serious_violations(boss)

    boss.get_by_label("Review by").fill(due.isoformat())
    boss.get_by_label("Reason to assign despite the conflict").fill(
        "The only adjuvant expert available; the SGG agreed."
    )
    boss.get_by_role("button", name="Assign rita.rep despite the conflict").click()
    expect(boss.locator(".flash-success")).to_contain_text(
        f"rita.rep was asked to review this topic by {due:%d %b %Y}"
    )
    review = boss.locator("#review")
    expect(review).to_contain_text("Assigned despite a conflict")
    expect(review).to_contain_text("The only adjuvant expert available")
    history = boss.locator("#assignments-h + ol")
    expect(history).to_contain_text(f"asked rita.rep to review, due {due:%d %b %Y}")
    expect(history).to_contain_text("Reason given: The only adjuvant expert available")
    boss.locator("#review").screenshot(path=shots / "4-assigned-with-override.png", caret="initial")
    boss.screenshot(path=shots / "4b-topic-page.png", full_page=True, caret="initial")
    problems += serious_violations(boss)

    reviewer = _sign_in(browser, live_server, rep.email)
    reviewer.goto("/inbox/")
    expect(reviewer.get_by_text(f"Review requested by {due:%d %b %Y}")).to_be_visible()
    reviewer.screenshot(path=shots / "5-reviewer-inbox.png", full_page=True, caret="initial")
    reviewer.goto(f"/topics/{topic.id}#review")
    expect(reviewer.locator("#review .due")).to_contain_text(
        f"You are asked to review this topic by {due:%d %b %Y} 23:59"
    )
    expect(reviewer.locator("#review")).not_to_contain_text("Assigned despite a conflict")
    reviewer.locator("#review").screenshot(
        path=shots / "6-reviewer-sees-deadline.png", caret="initial"
    )
    assert not problems, "\n".join(problems)
    assert not [c for c in console if CSP_ERROR.search(c)], console

"""Each role's dashboard in a real browser: with work waiting for every role (four pledges
to confirm, a topic to screen, a review requested, a comment to answer, a topic open for
pledges, an invitation), each person signs in in turn, finds their queue with its counts
and ages, and follows one item's link to the page where the work is done. Screenshots in
``test-artifacts/browser/dashboards/`` (at 1,280 px, and the coordinator's at 390 px).

The work is made through the services (the journeys that make it through the UI are the
other browser tests); one browser, one page, signing out between people. The coordinator's
and the partner's dashboards are checked with axe-core (no serious or critical violation).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

import models
from services.core.context import RequestContext
from services.pledges import lifecycle as pledges
from services.topics import comments, lifecycle, review_assignments
from tests.browser.test_journey import _violations
from tests.conftest import PASSWORD
from tests.pledge_helpers import form
from tests.topic_support import make_call, make_topic
from tests.worklist_support import invitation, match

pytestmark = pytest.mark.slow
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser" / "dashboards"


def _work(db: Any, world: dict[str, Any], make_user: Any) -> dict[str, Any]:
    people = {
        "coordinator": make_user("coordinator", email="office@example.org"),
        "reviewer": make_user(email="reviewer@example.org"),
        "sgg": make_user(email="sgg@example.org", sgg_id=world["sgg_a"].id),
        "partner": make_user(email="partner@example.org", org_id=world["pharma"].id),
        "applicant": make_user(
            email="applicant@example.org", org_id=world["uni"].id, org_role="applicant"
        ),
    }
    db.add(
        models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=people["reviewer"].id)
    )
    as_ = {role: RequestContext(user) for role, user in people.items()}
    idea = make_topic(db, world, "idea", title="Antimicrobial resistance surveillance")
    lifecycle.transition(db, as_["sgg"], idea, "submit")
    call = make_call(db, world)
    published = make_topic(db, world, "published", title="Pertussis vaccine for infants", call=call)
    make_topic(db, world, "published", title="Adjuvants for older adults", call=call)
    for n in range(1, 5):
        amount = f"{n},000,000.00"
        pledge = pledges.create_pledge(
            db,
            as_["partner"],
            topic_id=published.id,
            organisation_id=world["pharma"].id,
            data=form(amount=amount, personnel=amount, consumables=""),
        )
        pledges.submit_pledge(db, as_["partner"], pledge)
    review_assignments.assign_reviewer(db, as_["coordinator"], published, people["reviewer"].id)
    comments.add_comment(db, as_["coordinator"], idea, "Which surveillance networks take part?")
    request = match(db, published, people["coordinator"])
    invite = invitation(db, request, world["uni"], expires_in_days=6.5)
    db.commit()
    return {"people": people, "idea": idea, "published": published, "invitation": invite}


class Desk:
    """One page; a person signs in, looks at their dashboard, signs out."""

    def __init__(self, page: Page) -> None:
        self.page = page
        SHOTS.mkdir(parents=True, exist_ok=True)

    def sign_in(self, email: str) -> Page:
        page = self.page
        page.goto("/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()

    def queue(self, key: str) -> Any:
        return self.page.locator(f"#queue-{key}")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def fits(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], width


def test_each_role_finds_its_work_on_the_dashboard(
    live_server: str, browser: Browser, db, world, make_user
) -> None:
    w = _work(db, world, make_user)
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    desk = Desk(context.new_page())
    page = desk.page

    # The programme office: four pledges to confirm, a topic to screen, a review waiting.
    desk.sign_in("office@example.org")
    pledges_q = desk.queue("pledges-to-confirm")
    expect(pledges_q.locator("h3")).to_have_text("Pledges to confirm 4 pledges")
    expect(pledges_q.locator("li")).to_have_count(4)
    expect(pledges_q).to_contain_text("waiting less than an hour")
    topics_q = desk.queue("topics-to-decide")
    expect(topics_q).to_contain_text("To screen (1 topic)")
    expect(topics_q).to_contain_text("Antimicrobial resistance surveillance")
    expect(desk.queue("reviews-waiting")).to_contain_text("reviewer: conflicts not declared yet")
    expect(desk.queue("partner-applications")).to_contain_text(
        "No partner application waits for a decision."
    )
    desk.fits()
    assert not _violations(page)
    desk.shot("01-coordinator")
    page.set_viewport_size({"width": 390, "height": 844})
    desk.fits()
    desk.shot("02-coordinator-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    pledges_q.get_by_role("link", name="EUR 1,000,000.00 from Pharma One AG").click()
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()
    desk.shot("03-coordinator-follows-a-pledge")
    page.goto("/dashboard")
    topics_q.get_by_role("link", name="Antimicrobial resistance surveillance").click()
    expect(page.get_by_role("button", name="Accept for drafting")).to_be_visible()
    desk.sign_out()

    # The reviewer: the requested review, first step the conflict declaration.
    desk.sign_in("reviewer@example.org")
    reviews_q = desk.queue("reviews-to-do")
    expect(reviews_q.locator("h3")).to_have_text("Reviews to do 1 review")
    expect(reviews_q).to_contain_text("Declare your conflicts of interest")
    desk.shot("04-reviewer")
    reviews_q.get_by_role("link", name="Pertussis vaccine for infants").click()
    expect(page).to_have_url(re.compile(rf"/topics/{w['published'].id}#review$"))
    expect(page.locator("#review")).to_contain_text("conflict of interest")
    desk.sign_out()

    # The SGG member: their topic in screening, the coordinator's question to answer.
    desk.sign_in("sgg@example.org")
    expect(desk.queue("my-topics")).to_contain_text("Screening (1 topic)")
    answer_q = desk.queue("comments-to-answer")
    expect(answer_q.locator("h3")).to_have_text("Comments awaiting an answer 1 comment")
    expect(answer_q).to_contain_text("Which surveillance networks take part?")
    desk.shot("05-sgg-member")
    answer_q.get_by_role("link", name="Antimicrobial resistance surveillance").click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    comment = page.locator(page.url[page.url.index("#") :])
    expect(comment).to_contain_text("Which surveillance networks take part?")
    expect(comment.locator("summary").first).to_have_text("Reply")
    desk.sign_out()

    # The partner: four submitted pledges, and the other published topic to pledge to.
    desk.sign_in("partner@example.org")
    mine = desk.queue("my-pledges")
    expect(mine).to_contain_text("Submitted (4 pledges)")
    open_q = desk.queue("open-topics")
    expect(open_q.locator("li")).to_have_count(1)
    expect(open_q).to_contain_text("stage 1 deadline in 29 days")
    assert not _violations(page)
    desk.shot("06-partner")
    open_q.get_by_role("link", name="Adjuvants for older adults").click()
    expect(page.get_by_label("Topic")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Topic").locator("option:checked")).to_have_text(
        "Adjuvants for older adults"
    )
    desk.sign_out()

    # The applicant: the invitation of their university, with its expiry.
    desk.sign_in("applicant@example.org")
    invited = desk.queue("invitations-to-answer")
    expect(invited).to_contain_text("expires in 6 days")
    expect(invited).to_contain_text("University of Testing is invited")
    desk.shot("07-applicant")
    invited.get_by_role("link", name="Pertussis vaccine for infants").click()
    expect(page).to_have_url(re.compile(rf"/consortia/invitations/{w['invitation'].id}$"))
    expect(page.get_by_role("button", name=re.compile("Accept"))).to_be_visible()
    desk.shot("08-applicant-follows-the-invitation")
    context.close()

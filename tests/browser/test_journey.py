"""The whole journey in a real browser, through the UI only (clicks and typing, CSRF on).

An SGG member drafts and submits a topic; a coordinator screens it, moves it through
drafting, consultation and approval, creates a call and publishes the topic in it; a
partner representative pledges and the coordinator confirms. The consortium steps (request,
search, swap, remove, finalise, invitations to persons, decline, alternate, accept) are in
test_invitation_loop.py. Each step leaves a screenshot in
``test-artifacts/browser/``. Then the main pages are checked with axe-core and for CSP
violations in the console.

Only the starting world is seeded directly: accounts, the programme and its SGG, the
organisations with their past projects.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

import models
from tests.browser.axe import serious_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow

VACCINE = "pertussis vaccine immunogenicity adjuvant antigen clinical trial infants"
THEMES = {
    "vaccine": VACCINE,
    "diabetes": "type 1 diabetes insulin beta cell islet autoimmunity glucose monitoring",
    "neuro": "alzheimer neurodegeneration amyloid tau biomarker cognitive decline",
}
# (name, country, sector, sme, theme): applicants with a track record in CORDIS projects.
APPLICANTS = [
    ("Vax University", "DE", "academia", False, "vaccine"),
    ("Immuno Institute", "FR", "research", False, "vaccine"),
    ("Antigen Labs", "NL", "sme", True, "vaccine"),
    ("Infant Health Org", "BE", "patient", False, "vaccine"),
    ("Adjuvant Biotech", "ES", "sme", True, "vaccine"),
    ("Trial Hospital", "IT", "public", False, "vaccine"),
    ("Pertussis Centre", "PT", "research", False, "vaccine"),
    ("Vaccine Academy", "AT", "academia", False, "vaccine"),
    ("Beta Cell Uni", "DK", "academia", False, "diabetes"),
    ("Glucose Tech", "FI", "sme", True, "diabetes"),
    ("Neuro College", "PL", "academia", False, "neuro"),
    ("Amyloid Institute", "HU", "research", False, "neuro"),
]
INVITED = "Nordic Vaccine Network"  # found by search in test_invitation_loop.py
CSP_ERROR = re.compile(r"Content Security Policy|Refused to (execute|apply|load)", re.I)


def _seed(db: Any, world: dict[str, Any], settings: Any, make_user: Any) -> dict[str, Any]:
    orgs = [
        models.Organisation(
            legal_name=name, country=country, sector=sector, is_sme=sme, pic=f"98{i:07d}"
        )
        for i, (name, country, sector, sme, _theme) in enumerate(APPLICANTS)
    ]
    invited = models.Organisation(
        legal_name=INVITED, country="SE", sector="research", pic="980000099"
    )
    db.add_all([*orgs, invited])
    for theme, words in THEMES.items():
        for k in range(3):
            db.add(
                models.CordisProject(
                    id=f"{theme}-{k}",
                    title=f"{theme.title()} project {k}: {words.split()[k]}",
                    objective=f"{words} study {k} on {words.split()[-1 - k]}",
                    keywords=words.split()[k],
                )
            )
    db.flush()
    for n, (org, row) in enumerate(zip(orgs, APPLICANTS, strict=True)):
        for k in range(1 + n % 3):
            db.add(
                models.Participation(
                    project_id=f"{row[4]}-{k}", organisation_id=org.id, role="participant"
                )
            )
    db.add(
        models.Participation(project_id="vaccine-0", organisation_id=invited.id, role="participant")
    )
    db.commit()
    return {
        "sgg": make_user("viewer", email="sgg@example.org", sgg_id=world["sgg_a"].id),
        "coord": make_user("coordinator", email="coord@example.org"),
        "partner": make_user("viewer", email="partner@example.org", org_id=world["pharma"].id),
    }


class Journey:
    """Screenshots numbered in order, and one browser context (cookie jar) per person."""

    def __init__(self, browser: Browser, base: str, shots: Path) -> None:
        self.browser, self.base, self.shots, self.n = browser, base, shots, 0
        self.console: list[tuple[str, str]] = []

    def sign_in(self, email: str) -> Page:
        context = self.browser.new_context(base_url=self.base)
        page = context.new_page()
        page.on("console", lambda msg: self.console.append((page.url, msg.text)))
        page.goto("/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def shot(self, page: Page, step: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.shots / f"{self.n:02d}-{step}.png"), full_page=True)


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _badge(page: Page, label: str) -> None:
    expect(page.locator("section[aria-labelledby='glance-h'] .badge").first).to_have_text(label)


def _move(page: Page, button: str, label: str, comment: str = "") -> None:
    """Press one lifecycle button on the topic page and check the new status."""
    form = page.locator("form.move").filter(has=page.get_by_role("button", name=button))
    if comment:
        form.get_by_label(re.compile("Comment")).fill(comment)
    form.get_by_role("button", name=button).click()
    _flash(page, f"The topic is now: {label}.")
    _badge(page, label)


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _local(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M")


def test_whole_journey(
    live_server: str, browser: Browser, artifacts: Path, db, world, settings, make_user
) -> None:
    people = _seed(db, world, settings, make_user)
    j = Journey(browser, live_server, artifacts)

    # 1. An SGG member drafts a topic idea and submits it to screening.
    sgg = j.sign_in(people["sgg"].email)
    j.shot(sgg, "sgg-member-dashboard")
    _nav(sgg, "Topics")
    sgg.get_by_role("link", name="Propose a topic").click()
    sgg.get_by_label("Title").fill("Next-generation pertussis vaccine for infants")
    sgg.get_by_label("Challenge").fill("Pertussis returns in infants despite vaccination.")
    sgg.get_by_label("Scope").fill(
        "Develop an adjuvant and antigen for a pertussis vaccine; clinical trial in infants."
    )
    sgg.get_by_label("Expected outcomes").fill("A vaccine candidate ready for phase 2.")
    sgg.get_by_label("Expected impact").fill("Fewer infant deaths from whooping cough.")
    sgg.get_by_label(re.compile("Required expertise")).fill(
        "vaccine, pertussis, immunogenicity, adjuvant"
    )
    sgg.get_by_label(re.compile("EU contribution")).fill("8000000")
    sgg.get_by_label(re.compile("Duration")).fill("60")
    sgg.get_by_label("Pre-defined industry consortium").select_option(label="Pharma One AG")
    j.shot(sgg, "topic-form")
    sgg.get_by_role("button", name="Save").click()
    _flash(sgg, "Topic idea saved.")
    _badge(sgg, "Idea")
    topic_url = sgg.url
    j.shot(sgg, "topic-drafted")
    _move(sgg, "Submit to screening", "Screening")
    j.shot(sgg, "topic-submitted")

    # 2. A coordinator screens and accepts it, moves it to approval, creates a call and
    #    publishes the topic in it.
    coord = j.sign_in(people["coord"].email)
    _nav(coord, "Topics")
    row = coord.get_by_role("row").filter(has_text="Next-generation pertussis vaccine")
    expect(row).to_contain_text("Screening")
    j.shot(coord, "coordinator-topic-list")
    row.get_by_role("link", name=re.compile("Next-generation pertussis")).click()
    _move(coord, "Accept for drafting", "Drafting")
    _move(coord, "Send to consultation", "Consultation")
    _move(coord, "Approve", "Approved")
    j.shot(coord, "topic-approved")

    _nav(coord, "Calls")
    coord.get_by_role("link", name="New call").click()
    coord.get_by_label("Call identifier").fill("HORIZON-JU-IHI-2027-11")
    coord.get_by_label("Title").fill("IHI call 11")
    coord.get_by_label("Type", exact=True).select_option("single_stage")
    coord.get_by_label("Timezone of the deadlines").fill("Europe/Brussels")
    soon = datetime.now(UTC) + timedelta(days=90)
    coord.get_by_label("Stage 1 deadline (local time)").fill(_local(soon))
    j.shot(coord, "call-form")
    coord.get_by_role("button", name="Save call").click()
    _flash(coord, "Call HORIZON-JU-IHI-2027-11 saved.")
    j.shot(coord, "call-created")

    call_url = coord.url
    coord.goto(topic_url)
    coord.locator("main").get_by_role("link", name="Edit", exact=True).click()
    coord.get_by_label("Topic identifier").fill("HORIZON-JU-IHI-2027-11-01")
    coord.get_by_label(re.compile("What changed")).fill("Identifier for call 11")
    coord.get_by_role("button", name="Save").click()
    _flash(coord, "Topic saved")
    # The call page adds the approved topic to the call.
    coord.goto(call_url)
    coord.get_by_label("Approved topic of the programme").select_option(
        label="HORIZON-JU-IHI-2027-11-01: Next-generation pertussis vaccine for infants"
    )
    coord.get_by_role("button", name="Add to the call").click()
    _flash(coord, "added to the call")
    expect(coord.get_by_role("link", name=re.compile("Next-generation pertussis"))).to_be_visible()
    j.shot(coord, "call-with-topic")
    coord.goto(topic_url)
    _move(coord, "Publish in a call", "Published in a call")
    history = coord.locator("ol.timeline")
    expect(history).to_contain_text("You added the topic to call HORIZON-JU-IHI-2027-11")
    expect(history).to_contain_text("moved the topic from Approved to Published in a call")
    j.shot(coord, "topic-published")
    # The diff of the coordinator's edit: the identifier only (8000000 typed, 8000000.00
    # saved again is no change).
    coord.goto(topic_url + "/diff?a=1&b=2")
    expect(coord.locator("main")).to_contain_text("Topic identifier")
    expect(coord.locator("main")).not_to_contain_text("Indicative EU contribution")
    j.shot(coord, "topic-diff")

    # 3. A partner representative pledges; the coordinator confirms the pledge.
    partner = j.sign_in(people["partner"].email)
    partner.get_by_role("link", name=re.compile("pledges", re.I)).first.click()
    partner.goto("/pledges/new")
    # The topic menu narrows as one types (the menu alone comes back; the page stays).
    search = partner.get_by_label("Search by title or identifier")
    search.fill("no such topic")
    expect(partner.locator("#topic-menu")).to_contain_text("No topic open for pledges matches")
    expect(partner.get_by_label("Topic").locator("option")).to_have_count(0)
    search.fill("IHI-2027-11-01 pertussis")
    expect(partner.get_by_label("Topic").locator("option")).to_have_count(1)
    partner.get_by_label("Topic").select_option(
        label="Next-generation pertussis vaccine for infants"
    )
    partner.get_by_label("Pledging organisation").select_option(label="Pharma One AG")
    partner.get_by_label("Kind of contribution").select_option(index=1)
    partner.get_by_label("Amount (EUR)").fill("1500000")
    j.shot(partner, "pledge-form")
    partner.get_by_role("button", name="Save draft").click()
    _flash(partner, "Draft pledge saved.")
    partner.get_by_role("button", name="Submit to the programme office").click()
    _flash(partner, "Pledge submitted to the programme office.")
    pledge_url = partner.url
    j.shot(partner, "pledge-submitted")

    coord.goto(pledge_url)
    coord.get_by_role("button", name="Confirm").click()
    _flash(coord, "Pledge confirmed")
    j.shot(coord, "pledge-confirmed")
    partner.goto(pledge_url)  # the history in words, with the actor as the partner sees it
    expect(partner.locator("ol.timeline")).to_contain_text(
        f"{people['coord'].name} confirmed the pledge"
    )
    expect(partner.locator("ol.timeline")).not_to_contain_text("pledge.")
    j.shot(partner, "pledge-history")

    # 4. The main pages: no serious or critical axe violations, no CSP errors in the console.
    anonymous = j.browser.new_context(base_url=live_server).new_page()
    anonymous.on("console", lambda msg: j.console.append((anonymous.url, msg.text)))
    pages = [
        (anonymous, "/auth/login"),
        (coord, "/dashboard"),
        (coord, "/topics/"),
        (coord, topic_url),
        (coord, "/organisations/?q=vaccine"),
        (partner, "/pledges/new"),
        (partner, pledge_url),
        (partner, "/pledges/"),
        (coord, "/calls/"),
        (coord, "/calls/new"),
        (coord, call_url),
        (coord, topic_url + "/diff?a=1&b=2"),
        (coord, topic_url + "/edit"),
        (coord, "/consortia/"),
        (coord, f"/consortia/new?topic_id={topic_url.rsplit('/', 1)[1]}"),
        (coord, "/pledges/funding"),
        (sgg, "/topics/new"),
        (sgg, topic_url),
    ]
    problems = [p for page, url in pages for p in _accessibility(page, url)]
    # A form with errors beside its fields (aria-invalid, aria-describedby).
    anonymous.get_by_label("Email").fill("nobody@example.org")
    anonymous.get_by_label("Password").fill("wrong")
    anonymous.get_by_role("button", name="Sign in").click()
    expect(anonymous.locator(".form-errors, .error").first).to_be_visible()
    problems += _violations(anonymous)
    assert not problems, "\n".join(problems)
    assert not [c for c in j.console if CSP_ERROR.search(c[1])], j.console

    # The console check sees CSP errors: an inline script is refused and reported.
    with anonymous.expect_console_message(lambda m: bool(CSP_ERROR.search(m.text))):
        anonymous.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
        )
    assert anonymous.evaluate("() => window.injected") is None


def _accessibility(page: Page, url: str) -> list[str]:
    """axe-core's serious and critical violations on one page, one line per element."""
    page.goto(url)
    expect(page.locator("main h1")).to_be_visible()
    return _violations(page)


_violations = serious_violations  # axe-core (tests/browser/vendor/); the loop test uses it too

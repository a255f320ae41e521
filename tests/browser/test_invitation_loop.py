"""The partnering loop with two people, in a real browser against the real app, mail over
real SMTP on loopback (issue 16, "Done when").

The coordinator requests a consortium, adds an organisation from search in place of a
member, swaps another for its alternate, removes a third and finalises; the organisation
from search has nobody, so the coordinator adds a contact on the page. That contact (no
account) receives the email, follows the link, creates the account, reads the invitation
in plain words and declines with a reason. The coordinator sees the reason, is offered the
seat's alternates and invites one; the alternate's user (who has an account) follows their
link, signs in, accepts and opens the consortium. One screenshot per step in
``test-artifacts/browser/loop/NN-*.png``; the pages of the loop are checked with axe-core.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

import models
from services.consortia import expertise_index as matching_index
from services.core.context import RequestContext
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journey import APPLICANTS, INVITED, THEMES, _violations
from tests.conftest import PASSWORD
from tests.support import free_port

pytestmark = pytest.mark.slow

TOPIC = "Next-generation pertussis vaccine for infants"
CONTACT = ("Nora Lind", "nora.lind@nordic-vaccine.example")
LINK = re.compile(r"https?://\S+/invitations/[A-Za-z0-9_\-]+")


class Mailbox:
    """An SMTP server on loopback keeping every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def link_for(self, address: str, timeout: float = 15.0) -> str:
        """The invitation link of the latest mail to ``address`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                mails = [m for m in self.messages if m["To"] == address]
            for mail in reversed(mails):
                text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
                found = LINK.search(text.get_payload(decode=True).decode())
                if found:
                    return found.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no invitation mail to {address}; got {self.recipients()}")

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.messages]


@pytest.fixture
def shots() -> Path:
    """test-artifacts/browser/loop/, emptied (the journey test empties only its own)."""
    folder = ARTIFACTS / "loop"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def mail_server(app: Any, settings: Any, mailbox: Mailbox) -> Iterator[str]:
    """The app served over HTTP with its mail sent to ``mailbox``; yields the base URL."""
    from werkzeug.serving import make_server

    from webapp import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    live = dataclasses.replace(
        settings, public_url=base, mail_server="127.0.0.1", mail_port=mailbox.port
    )
    served = create_app(live, EMBEDDED_SCHEDULER=False)
    server = make_server("127.0.0.1", port, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        served.extensions["partnering.engine"].dispose()


def _seed(db: Any, world: dict[str, Any], settings: Any, make_user: Any) -> dict[str, Any]:
    """A published topic in a call, applicants with past projects and one user each, the
    organisation found by search without anybody, and the expertise index."""
    orgs = [
        models.Organisation(legal_name=n, country=c, sector=s, is_sme=sme, pic=f"97{i:07d}")
        for i, (n, c, s, sme, _t) in enumerate(APPLICANTS)
    ]
    nordic = models.Organisation(
        legal_name=INVITED, country="SE", sector="research", pic="970000099"
    )
    db.add_all([*orgs, nordic])
    for theme, words in THEMES.items():
        for k in range(3):
            db.add(
                models.CordisProject(
                    id=f"{theme}-{k}",
                    title=f"{theme.title()} project {k}: {words.split()[k]}",
                    objective=f"{words} study {k} on {words.split()[-1 - k]}",
                    keywords=words.split()[k],
                    start_date=datetime(2019 + k, 1, 1).date(),
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
        models.Participation(project_id="vaccine-0", organisation_id=nordic.id, role="participant")
    )
    call = models.Call(
        programme=world["programme"],
        identifier="HORIZON-JU-IHI-2027-11",
        title="IHI call 11",
        call_type="single_stage",
        stage1_deadline=datetime.now(UTC) + timedelta(days=90),
    )
    topic = models.Topic(
        programme=world["programme"],
        sgg=world["sgg_a"],
        call=call,
        title=TOPIC,
        identifier="HORIZON-JU-IHI-2027-11-01",
        status="published",
        challenge="Pertussis returns in infants despite vaccination.",
        scope="Develop an adjuvant and antigen for a pertussis vaccine; clinical trial in infants.",
        keywords="vaccine, pertussis, immunogenicity, adjuvant",
        eu_contribution=Decimal("8000000.00"),
        duration_months=60,
    )
    db.add_all([call, topic])
    db.commit()
    version = matching_index.build_now(db, RequestContext(None), settings.instance_path, "loop")
    db.commit()
    assert version.status == "ready", version.message
    reps = {
        org.legal_name: make_user(
            "viewer", email=f"rep{i}@applicant.example", org_id=org.id, org_role="applicant"
        ).email
        for i, org in enumerate(orgs)
    }
    coord = make_user("coordinator", email="coord@example.org")
    return {"topic": topic, "reps": reps, "coord": coord}


class Steps:
    def __init__(self, browser: Browser, base: str, shots: Path) -> None:
        self.browser, self.base, self.shots, self.n = browser, base, shots, 0

    def page(self) -> Page:
        return self.browser.new_context(base_url=self.base).new_page()

    def sign_in(self, page: Page, email: str) -> None:
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    def shot(self, page: Page, step: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.shots / f"{self.n:02d}-{step}.png"), full_page=True)


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _row(page: Page, name: str) -> Any:
    return page.locator("tr", has=page.locator("td:nth-child(2)", has_text=name))


def test_invitation_loop(
    mail_server: str,
    mailbox: Mailbox,
    browser: Browser,
    shots: Path,
    db,
    world,
    settings,
    make_user,
) -> None:
    seeded = _seed(db, world, settings, make_user)
    s = Steps(browser, mail_server, shots)
    problems: list[str] = []

    # 1. The coordinator requests a consortium for the published topic.
    coord = s.page()
    coord.goto("/auth/login")
    s.sign_in(coord, seeded["coord"].email)
    coord.goto(f"/topics/{seeded['topic'].id}")
    coord.get_by_role("link", name="Request consortium suggestions").click()
    coord.get_by_role("button", name="Request suggestions").click()
    expect(coord.get_by_role("heading", name="Eligibility checks")).to_be_visible(timeout=60_000)
    consortium_url = coord.url
    s.shot(coord, "coordinator-suggestion")
    members = coord.locator("xpath=//h2[starts-with(., 'Members')]/following::table[1]/tbody/tr")
    names = [r.locator("td").nth(1).inner_text().splitlines()[0].strip() for r in members.all()]

    # 2. Adds an organisation from search in place of the first member.
    coord.get_by_label("Find an organisation by name or PIC").fill("Nordic")
    coord.get_by_role("button", name="Search").click()
    found = coord.get_by_role("listitem").filter(has_text=INVITED)
    found.get_by_label("in place of").select_option(label=names[0])
    found.get_by_role("button", name="Add").click()
    _flash(coord, f"Member swapped: {INVITED} takes the seat of {names[0]}")
    s.shot(coord, "coordinator-added-from-search")

    # 3. Swaps another member for one of its seat's alternates.
    swap = members.filter(has_not_text=INVITED).locator("form:has(select[id^=swap-])").first
    alternate = swap.locator("option").first.inner_text().rsplit(" (", 1)[0]
    swap.get_by_role("button", name="Swap").click()
    _flash(coord, f"Member swapped: {alternate} takes the seat of")
    s.shot(coord, "coordinator-swapped")

    # 4. Removes a third member, then finalises.
    removed = next(n for n in names[1:] if n != alternate and _row(coord, n).count())
    _row(coord, removed).get_by_role("button", name="Remove").click()
    _flash(coord, "Member removed")
    s.shot(coord, "coordinator-removed")
    coord.get_by_role("button", name="Finalise and send invitations").click()
    _flash(coord, "Consortium finalised; invitations sent to")
    _flash(coord, "have nobody to invite: add a contact for them")
    s.shot(coord, "coordinator-finalised")

    # 5. The organisation from search has nobody: the coordinator adds a contact right there.
    form = _row(coord, INVITED).locator("form.contact-form")
    form.get_by_label("Name").fill(CONTACT[0])
    form.get_by_label("Email").fill(CONTACT[1])
    form.get_by_label("Function (optional)").fill("Grants office")
    form.get_by_role("button", name="Add the contact and send the invitation").click()
    _flash(coord, f"Contact added; the invitation for {INVITED} is sent to {CONTACT[1]}")
    expect(_row(coord, INVITED)).to_contain_text(f"{CONTACT[0]} <{CONTACT[1]}>")
    s.shot(coord, "coordinator-contact-added")

    # 6. The contact (no account) gets the mail, follows the link and creates the account.
    nora = s.page()
    nora.goto(mailbox.link_for(CONTACT[1]))
    expect(
        nora.get_by_role("heading", name=f"{INVITED} is invited to a consortium")
    ).to_be_visible()
    expect(nora.get_by_label("Your name")).to_have_value(CONTACT[0])
    s.shot(nora, "contact-account-invitation")
    problems += _violations(nora)
    nora.get_by_label("Choose a password").fill("nora's long password")
    nora.get_by_label("Repeat the password").fill("nora's long password")
    nora.get_by_role("button", name="Create my account and see the invitation").click()
    _flash(nora, "Your account is ready")

    # 7. The invitation in plain words; the contact declines with a reason.
    main = nora.locator("main")
    expect(main.get_by_role("heading", name=f"Why {INVITED}")).to_be_visible()
    expect(main).to_contain_text("Vaccine project 0: pertussis (2019)")
    expect(main).to_contain_text(TOPIC)
    expect(main).to_contain_text("Call deadline:")
    expect(main).to_contain_text("Please answer by")
    expect(main).to_contain_text(
        f"Ask the programme office: {seeded['coord'].name}, coord@example.org"
    )
    expect(main).not_to_contain_text("fit ")
    expect(main).not_to_contain_text("must_include")
    s.shot(nora, "contact-plain-invitation")
    problems += _violations(nora)
    nora.get_by_label("Why does your organisation decline?").fill(
        "Our team is fully booked until 2028."
    )
    nora.get_by_role("button", name="Decline the invitation").click()
    _flash(nora, "Invitation declined.")
    s.shot(nora, "contact-declined")

    # 8. The coordinator reads the reason and invites the seat's next alternate.
    coord.goto(consortium_url)
    expect(coord.locator("main")).to_contain_text(
        "Reason given: “Our team is fully booked until 2028.”"
    )
    seat = coord.get_by_role("listitem").filter(has_text=f"{INVITED} (SE")
    offer = seat.get_by_role("button", name=re.compile("^Invite the next alternate: "))
    chosen = offer.inner_text().removeprefix("Invite the next alternate: ").strip()
    s.shot(coord, "coordinator-offered-alternates")
    problems += _violations(coord)
    offer.click()
    _flash(coord, f"{chosen} takes the seat of {INVITED}. The alternate is invited.")
    s.shot(coord, "coordinator-invited-alternate")

    # 9. The alternate's user (an account already) follows the link, signs in and accepts.
    rep = s.page()
    rep.goto(mailbox.link_for(seeded["reps"][chosen]))
    _flash(rep, f"Sign in as {seeded['reps'][chosen]} to see the invitation.")
    s.sign_in(rep, seeded["reps"][chosen])
    expect(
        rep.get_by_role("heading", name=f"{chosen} is invited to join a consortium")
    ).to_be_visible()
    s.shot(rep, "alternate-invitation")
    rep.get_by_role("button", name="Accept the invitation").click()
    _flash(rep, "Invitation accepted.")
    rep.get_by_role("link", name="Open the consortium").click()
    expect(rep.get_by_role("heading", name=f"The consortium for {TOPIC}")).to_be_visible()
    accepted = rep.locator("section[aria-labelledby=members-h]")
    expect(accepted).to_contain_text(chosen)
    expect(rep.locator("main")).not_to_contain_text("score")
    s.shot(rep, "alternate-opens-consortium")
    problems += _violations(rep)
    assert not problems, "\n".join(problems)

"""A person signs up in a real browser, follows the link of the mail that a real SMTP server
on loopback received, finds their organisation by PIC and asks to join; a partner
representative approves; the person then sees the organisation's contacts. One screenshot
per step in ``test-artifacts/browser/people/``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

import models
from services.core.context import RequestContext
from services.organisations import contacts
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.mailbox import Mailbox, link_in

pytestmark = pytest.mark.slow
PERSON = "lena.berg@karolinska-demo.se"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def settings(settings, mailbox):
    return dataclasses.replace(settings, mail_server="127.0.0.1", mail_port=mailbox.port)


@pytest.fixture
def shots() -> Path:
    folder = ARTIFACTS / "people"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def test_sign_up_verify_join_and_approval(
    browser: Browser, live_server: str, db, make_user, mailbox: Mailbox, shots: Path
) -> None:
    org = models.Organisation(
        legal_name="Karolinska Demo Institute", country="SE", sector="academia", pic="999111222"
    )
    db.add(org)
    db.commit()
    rep = make_user("viewer", email="rep@karolinska-demo.se", org_id=org.id)
    contacts.add_contact(db, RequestContext(None), org.id, name="Grants Office",
                         email="grants@karolinska-demo.se", function="Grants office")  # fmt: skip
    db.commit()

    person = browser.new_context(base_url=live_server)
    page = person.new_page()
    page.goto("/auth/login")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name").fill("Lena Berg")
    page.get_by_label("Email").fill(PERSON)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.screenshot(path=shots / "1-signed-up.png", full_page=True)

    mail = mailbox.wait_for(PERSON, "Confirm your email address")
    page.goto(link_in(mail, "/auth/verify/"))
    expect(page.get_by_role("heading", name="Welcome, Lena Berg")).to_be_visible()
    page.screenshot(path=shots / "2-verify-link.png", full_page=True)
    page.get_by_role("button", name="Confirm my address and sign in").click()
    expect(page.get_by_role("heading", name="Join your organisation")).to_be_visible()

    page.get_by_label("PIC").fill(org.pic or "")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=org.legal_name, exact=True)).to_be_visible()
    page.screenshot(path=shots / "3-found-by-pic.png", full_page=True)
    page.get_by_role("link", name=f"Ask to join {org.legal_name}").click()
    page.get_by_label("A short note").fill("I lead the vaccine lab since 2021.")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_text("waiting for an answer")).to_be_visible()
    page.screenshot(path=shots / "4-request-sent.png", full_page=True)

    deciding = browser.new_context(base_url=live_server)
    rep_page = deciding.new_page()
    rep_page.goto("/auth/login")
    rep_page.get_by_label("Email").fill(rep.email)
    rep_page.get_by_label("Password").fill(PASSWORD)
    rep_page.get_by_role("button", name="Sign in").click()
    rep_page.get_by_role("link", name="Join requests").first.click()
    expect(rep_page.get_by_text("matches 2 people already known")).to_be_visible()
    expect(rep_page.get_by_text("I lead the vaccine lab")).to_be_visible()
    rep_page.screenshot(path=shots / "5-pending-request.png", full_page=True)
    rep_page.get_by_role("button", name="Approve Lena Berg").click()
    expect(rep_page.get_by_text("Lena Berg now acts for")).to_be_visible()
    rep_page.screenshot(path=shots / "6-approved.png", full_page=True)

    mailbox.wait_for(PERSON, "was approved")
    page.goto(f"/organisations/{org.id}")
    people = page.locator("#people")
    expect(people.get_by_text("grants@karolinska-demo.se")).to_be_visible()
    expect(people.get_by_role("cell", name=PERSON)).to_be_visible()
    page.locator("#people").screenshot(path=shots / "7-member-sees-contacts.png")
    deciding.close()
    person.close()

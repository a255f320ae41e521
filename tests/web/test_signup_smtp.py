"""Sign-up to verified account through a real SMTP server on loopback: the link is read
from the mail the server received."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from models import OutboxMessage, User
from tests.conftest import PASSWORD
from tests.mailbox import Mailbox, link_in, text_of
from tests.support import post_form


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def settings(settings, mailbox):
    return dataclasses.replace(settings, mail_server="127.0.0.1", mail_port=mailbox.port)


def test_sign_up_mail_arrives_and_its_link_activates_the_account(app, client, db, mailbox):
    data = {"name": "Mia Mail", "email": "mia@uni-mail.eu", "password": PASSWORD,
            "confirm": PASSWORD}  # fmt: skip
    assert post_form(client, "/auth/signup", data).status_code == 200
    mail = mailbox.wait_for("mia@uni-mail.eu", "Confirm your email address")
    assert "If you did not sign up, ignore this email" in text_of(mail)
    link = urlsplit(link_in(mail, "/auth/verify/")).path
    assert post_form(client, link, {}).status_code == 302
    app.extensions["partnering.runtime"].dispatcher.wait_idle()
    db.rollback()
    user = db.scalar(select(User).where(User.email == "mia@uni-mail.eu"))
    assert user.is_active and user.email_verified_at is not None
    sent = db.scalar(select(OutboxMessage).where(OutboxMessage.event == "account.verify"))
    assert sent.status == "sent"
    # Signing up again with the same address: a note to the owner, no second account.
    assert post_form(app.test_client(), "/auth/signup", data).status_code == 200
    note = mailbox.wait_for("mia@uni-mail.eu", "already have a Partnering Machine account")
    assert "/auth/login" in text_of(note)

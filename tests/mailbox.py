"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import re
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


class Mailbox:
    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(mail)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject: str, timeout: float = 20) -> EmailMessage:
        """The first message to ``to`` whose subject contains ``subject``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for mail in self.messages:
                    if to in str(mail["To"]) and subject in str(mail["Subject"]):
                        return mail
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} about {subject!r} within {timeout:.0f} s")


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link_in(mail: EmailMessage, path: str) -> str:
    match = re.search(rf"https?://\S+{re.escape(path)}\S+", text_of(mail))
    assert match, f"no {path} link in the mail"
    return match.group(0)

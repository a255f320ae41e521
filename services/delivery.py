"""Delivering outbox rows: claim one atomically, send it, record the outcome."""

from __future__ import annotations

import random
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.base import utcnow
from services.config import Settings

MAX_ATTEMPTS = 6
BASE_DELAY_S = 30


def claim(session: Session, message_id: int) -> OutboxMessage | None:
    """Lock a due pending row for this transaction; None if another worker holds it or it is done.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the IMMEDIATE transaction is the lock.
    """
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= utcnow(),
        )
        .with_for_update(skip_locked=True)
    )


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient_email
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message.message_id
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def send_smtp(settings: Settings, mail: EmailMessage) -> None:
    smtp_class = smtplib.SMTP_SSL if settings.mail_use_ssl else smtplib.SMTP
    with smtp_class(settings.mail_server or "localhost", settings.mail_port, timeout=30) as smtp:
        if settings.mail_use_tls:
            smtp.starttls()
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password or "")
        smtp.send_message(mail)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter."""
    return timedelta(seconds=random.uniform(0, BASE_DELAY_S * 2 ** (attempts - 1)))  # noqa: S311


def deliver(session: Session, settings: Settings, message_id: int) -> str:
    """Send one outbox row if it is due; return what happened ('sent', 'kept', 'retry'...)."""
    message = claim(session, message_id)
    if message is None:
        return "not-due"
    if message.channel == "inbox":
        message.status = "sent"
        message.sent_at = utcnow()
        return "sent"
    if not settings.mail_configured:
        return "kept"  # no mail server: the mail stays in the outbox, readable in the app
    message.attempts += 1
    try:
        send_smtp(settings, build_email(message, settings.mail_from))
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            return "failed"
        message.next_attempt_at = utcnow() + backoff(message.attempts)
        return "retry"
    message.status = "sent"
    message.sent_at = utcnow()
    message.last_error = ""
    return "sent"

"""Delivering outbox emails: claim a row under a lease, send it, record the outcome.

A delivery is three short steps, each its own transaction, so no database lock is held
while talking to the SMTP server:

1. ``claim``: lock the row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
   ``BEGIN IMMEDIATE`` transaction is the lock), check it is due, and mark it ``sending``
   with a lease (``lease_until``) and a fresh ``lease_token``. Two workers never both
   claim a row; a row whose worker died comes back when its lease expires.
2. ``send``: hand the mail to SMTP (no database lock held). Its Message-ID is derived
   from the row, so the rare duplicate (a worker killed after the server accepted the mail
   but before step 3 committed) is recognisable.
3. ``record``: only the holder of the lease token writes the outcome: ``sent`` when the
   server accepted the mail and only then (recorded the moment the server replied, before
   QUIT, to keep that window short); a temporary failure goes back to ``pending``
   with exponential backoff and jitter; a permanent one (5xx), or the last try, is
   ``failed`` and shown to admins, who may resend it.

The periodic sweep (``due_ids``) finds rows whose doorbell was lost (broker down, enqueue
failed, worker killed) and rings again; ringing twice is harmless because of step 1.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage, User
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.config import Settings
from services.core.errors import Conflict, PermissionDenied, without_paths
from services.notifications.notify import DELIVER_TASK, ring

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)

SessionScope = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send a claimed row, detached from any session."""

    id: int
    token: str
    attempts: int
    recipient_email: str
    subject: str
    body_text: str
    body_html: str
    message_id: str


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    permanent: bool = False
    error: str = ""


def _due_clause(now):
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )


def claim(session: Session, settings: Settings, message_id: int) -> Claimed | None:
    """Take the row for this worker under a lease; None if it is not due or someone holds it."""
    now = utcnow()
    row = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.channel == "email",
            OutboxMessage.mode == "immediate",
            _due_clause(now),
        )
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return None
    if row.status == "sending" and row.attempts >= settings.outbox_max_attempts:
        row.status = "failed"
        row.lease_token = ""
        row.last_error = row.last_error or "delivery lost (worker stopped) on the last attempt"
        return None
    row.status = "sending"
    row.attempts += 1
    row.lease_token = uuid.uuid4().hex
    row.lease_until = now + timedelta(seconds=settings.outbox_lease_seconds)
    session.flush()
    return Claimed(
        id=row.id,
        token=row.lease_token,
        attempts=row.attempts,
        recipient_email=row.recipient_email,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        message_id=row.message_id,
    )


def build_email(message: Claimed, sender: str) -> EmailMessage:
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


def tls(settings: Settings) -> ssl.SSLContext:
    """The client TLS context: certificates and host names verified (never unchecked)."""
    return ssl.create_default_context(cafile=settings.mail_ca_file or None)


def send_smtp(
    settings: Settings, mail: EmailMessage, accepted: Callable[[], None] | None = None
) -> None:
    """Send ``mail``; call ``accepted`` as soon as the server took it, before QUIT.

    TLS (implicit or STARTTLS) verifies the server's certificate and host name against the
    system's CAs, or against MAIL_CA_FILE when set; a server that fails the check gets
    nothing (an ``ssl.SSLError``, an OSError: the row is kept for a retry with the reason).
    """
    host = settings.mail_server or "localhost"
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.mail_use_ssl:
        smtp = smtplib.SMTP_SSL(host, settings.mail_port, timeout=timeout, context=tls(settings))
    else:
        smtp = smtplib.SMTP(host, settings.mail_port, timeout=timeout)
    with smtp:
        if settings.mail_use_tls and not settings.mail_use_ssl:
            smtp.starttls(context=tls(settings))
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password or "")
        smtp.send_message(mail)
        if accepted is not None:
            accepted()


def send(
    settings: Settings, message: Claimed, accepted: Callable[[], None] | None = None
) -> Outcome:
    """Hand the mail to the SMTP server; accepted only when the server said so.

    ``accepted`` runs the moment the server replied 250 to the data (the caller records
    the row as sent there): the shorter the time between that reply and the record, the
    rarer a duplicate when a worker is killed in between.
    """
    done = False

    def _accepted() -> None:
        nonlocal done
        done = True
        if accepted is not None:
            accepted()

    try:
        send_smtp(settings, build_email(message, settings.mail_from), _accepted)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return Outcome(False, permanent=all(c >= 500 for c in codes), error=_describe(exc))
    except smtplib.SMTPResponseException as exc:
        if done:  # the mail was accepted; only the QUIT went wrong
            return Outcome(True)
        return Outcome(False, permanent=exc.smtp_code >= 500, error=_describe(exc))
    except (OSError, smtplib.SMTPException) as exc:
        if done:
            return Outcome(True)
        return Outcome(False, error=_describe(exc))
    return Outcome(True)


def _describe(exc: BaseException) -> str:
    return without_paths(f"{type(exc).__name__}: {exc}")[:2000]


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(n-1), randomised between 50 % and 100 %."""
    ceiling = settings.outbox_retry_base_seconds * 2 ** max(attempts - 1, 0)
    delay = timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311
    return min(delay, MAX_BACKOFF)


def record_sent(session: Session, message: Claimed) -> str:
    """Mark the row sent, if this worker still holds its lease (one UPDATE, no read)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == "sending",
            OutboxMessage.lease_token == message.token,
        )
        .values(status="sent", sent_at=utcnow(), last_error="", lease_token="", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        log.warning("outbox %s: lease lost before the outcome was recorded", message.id)
        return "lease-lost"
    return "sent"


def record(session: Session, settings: Settings, message: Claimed, outcome: Outcome) -> str:
    """Write the outcome if this worker still holds the lease; return the new status."""
    row = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status == "sending",
            OutboxMessage.lease_token == message.token,
        )
        .with_for_update()
    )
    if row is None:
        log.warning("outbox %s: lease lost before the outcome was recorded", message.id)
        return "lease-lost"
    row.lease_token = ""
    row.lease_until = None
    if outcome.accepted:
        row.status = "sent"
        row.sent_at = utcnow()
        row.last_error = ""
    elif outcome.permanent or row.attempts >= settings.outbox_max_attempts:
        row.status = "failed"
        row.last_error = outcome.error
    else:
        row.status = "pending"
        row.last_error = outcome.error
        row.next_attempt_at = utcnow() + backoff(settings, row.attempts)
    return row.status


def deliver_one(scope: SessionScope, settings: Settings, message_id: int) -> str:
    """Claim, send and record one row, each step in its own ``scope()`` transaction.

    ``scope`` is the caller's commit point (the runtime's ``session_scope``): this
    function never commits itself.
    """
    if not settings.mail_configured:
        return "kept"  # no mail server: the mail stays in the outbox, readable in the app
    with scope() as session:
        claimed = claim(session, settings, message_id)
    if claimed is None:
        return "not-due"
    recorded: list[str] = []

    def accepted() -> None:
        with scope() as session:
            recorded.append(record_sent(session, claimed))

    outcome = send(settings, claimed, accepted)
    if recorded:
        return recorded[0]
    with scope() as session:
        return record(session, settings, claimed, outcome)


def due_ids(session: Session, settings: Settings, limit: int = 500) -> list[int]:
    """Email rows whose delivery should be (re)started: lost doorbells, due retries, expired
    leases. Fresh rows get a grace period, since their own delivery task is on its way."""
    now = utcnow()
    grace = now - timedelta(seconds=settings.outbox_sweep_grace_seconds)
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == "email",
            OutboxMessage.mode == "immediate",
            or_(
                and_(
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.attempts > 0, OutboxMessage.created_at <= grace),
                ),
                and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def resend(session: Session, actor: User, message: OutboxMessage) -> OutboxMessage:
    """An admin sends a failed email again (audited); the delivery task is rung after commit."""
    if not policies.is_admin(actor):
        raise PermissionDenied("Only administrators can resend mail.")
    if message.channel != "email" or message.status != "failed":
        raise Conflict("Only a failed email can be sent again.")
    audit.record(
        session,
        actor,
        "outbox.resend",
        message,
        attempts=message.attempts,
        last_error=message.last_error,
    )
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.lease_token = ""
    message.lease_until = None
    session.flush()
    ring(session, DELIVER_TASK, message.id)
    return message

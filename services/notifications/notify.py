"""Queue notifications as outbox rows in the caller's transaction; ring after commit.

Every notification is an in-app inbox row (always) and, unless the recipient switched the
kind of event off, an email row: ``immediate`` rows are delivered right after the commit,
``digest`` rows wait for the daily digest (digest.py). Nothing is sent for a change that
is rolled back, because the rows are part of the same transaction. ``outbox_message`` is
the only place that builds an outbox row (here, in the digest and nowhere else).

Emails are rendered from ``templates/emails/<name>.txt`` and ``.html`` with a plain Jinja
environment (no Flask), so workers and the CLI render the same mail as the web app.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from models import OutboxMessage, User
from models.base import utcnow
from models.db import after_commit
from services.core.config import PROJECT_ROOT
from services.notifications import preferences

DELIVER_TASK = "workers.tasks.deliver_outbox"
SUBJECT_CHARS = 300  # OutboxMessage.subject
LABEL_ATTRIBUTES = ("identifier", "title", "name", "display_name", "legal_name")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "emails"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Address(NamedTuple):
    """Someone without an account (an invited contact): a name and an email address."""

    name: str
    email: str


class Content(NamedTuple):
    """What a message says: the subject line, the text body and (email only) the HTML body."""

    subject: str
    text: str
    html: str = ""


def render_email(template: str, **context: Any) -> Content:
    """Render ``template``; the subject is the text's first line."""
    text = _env().get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n")
    html = _env().get_template(f"{template}.html").render(**context)
    return Content(subject.removeprefix("Subject:").strip(), body.lstrip("\n"), html)


def outbox_message(
    recipient: User | Address,
    event: str,
    content: Content,
    *,
    channel: str = "email",
    mode: str = "immediate",
    link: str = "",
    obj: Any = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """The one constructor of outbox rows. An inbox row is shown, not delivered, so it is
    'sent' at once; an email row waits 'pending' for delivery (or the digest). An
    ``Address`` (no account) gets email only."""
    inbox = channel == "inbox"
    if inbox and not isinstance(recipient, User):
        raise ValueError("an inbox row needs a user")
    return OutboxMessage(
        event=event,
        channel=channel,
        mode=mode,
        recipient_id=recipient.id if isinstance(recipient, User) else None,
        recipient_email=recipient.email,
        subject=content.subject[:SUBJECT_CHARS],
        body_text=content.text,
        body_html=content.html,
        link=link,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        payload=payload or {},
        dedupe_key=dedupe_key,
        status="sent" if inbox else "pending",
        sent_at=utcnow() if inbox else None,
    )


def queue(session: Session, messages: list[OutboxMessage]) -> None:
    """Add ``messages`` to the transaction; ring delivery of the immediate emails after it."""
    session.add_all(messages)
    session.flush()
    for message in messages:
        if message.channel == "email" and message.mode == "immediate":
            ring(session, DELIVER_TASK, message.id)


def ring(session: Session, task: str, *args: Any) -> None:
    """After the commit, ask the session's dispatcher (set by webapp/workers) to run ``task``."""
    dispatch = session.info.get("dispatch")
    if dispatch is not None:
        after_commit(session, lambda: dispatch(task, *args))


def object_label(obj: Any) -> str:
    """How an email names the object: 'IHI-2026-01: Title' for a topic, a name otherwise."""
    if obj is None:
        return ""
    parts = [str(v) for a in LABEL_ATTRIBUTES[:2] if (v := getattr(obj, a, None))]
    if parts:
        return ": ".join(parts)
    for attribute in LABEL_ATTRIBUTES[2:]:
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return f"{obj.__tablename__} #{getattr(obj, 'id', '')}".strip()


def notify(
    session: Session,
    event: str,
    recipients: Iterable[User],
    *,
    subject: str,
    summary: str,
    link: str,
    obj: Any = None,
    exclude: User | None = None,
    label: str | None = None,
) -> list[OutboxMessage]:
    """Tell ``recipients`` about ``event``: an in-app inbox row each, and an email unless
    they chose 'off' for this kind of event (a 'digest' email waits for the daily digest).

    Rows are written in the caller's transaction and delivered after the commit.
    ``exclude`` (usually the actor) is skipped; each person is told once even if listed
    twice. ``label`` names the object in the email (default: from ``obj``).
    """
    people: dict[int, User] = {}
    for user in recipients:
        if exclude is not None and user.id == exclude.id:
            continue
        people.setdefault(user.id, user)
    modes = preferences.modes_for(session, people.values(), event)
    label = object_label(obj) if label is None else label
    about = {"link": link, "obj": obj}
    rows: list[OutboxMessage] = []
    for user in people.values():
        inbox = Content(subject, summary)
        payload = {"label": label} if label else {}
        rows.append(outbox_message(user, event, inbox, channel="inbox", payload=payload, **about))
        mode = modes[user.id]
        if mode == "off":
            continue
        email = render_email(
            "event", recipient=user, link=link, subject=subject, summary=summary, label=label
        )
        rows.append(outbox_message(user, event, email, mode=mode, **about))
    queue(session, rows)
    return rows


def queue_email(
    session: Session,
    recipient: User | Address,
    event: str,
    template: str,
    *,
    link: str = "",
    obj: Any = None,
    **context: Any,
) -> OutboxMessage:
    """Write an email to the outbox in the current transaction and ring once committed.

    Used for account mail (invitation, password reset) and for people invited without an
    account: always immediate.
    """
    content = render_email(template, recipient=recipient, link=link, **context)
    message = outbox_message(recipient, event, content, link=link, obj=obj)
    queue(session, [message])
    return message

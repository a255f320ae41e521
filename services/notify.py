"""Queue notifications as outbox rows in the caller's transaction; ring after commit.

Emails are rendered from ``templates/emails/<name>.txt`` and ``.html`` with a plain Jinja
environment (no Flask), so workers and the CLI render the same mail as the web app.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from models import OutboxMessage, User
from models.db import after_commit
from services.config import PROJECT_ROOT

DELIVER_TASK = "workers.tasks.deliver_outbox"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "emails"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_email(template: str, **context: Any) -> tuple[str, str, str]:
    """Return (subject, text, html) of ``template``; the subject is the text's first line."""
    text = _env().get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n")
    html = _env().get_template(f"{template}.html").render(**context)
    return subject.removeprefix("Subject:").strip(), body.lstrip("\n"), html


def ring(session: Session, task: str, *args: Any) -> None:
    """After the commit, ask the session's dispatcher (set by webapp/workers) to run ``task``."""
    dispatch = session.info.get("dispatch")
    if dispatch is not None:
        after_commit(session, lambda: dispatch(task, *args))


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
) -> list[OutboxMessage]:
    """Tell ``recipients`` about ``event``: an in-app inbox row and an email each.

    Rows are written in the caller's transaction (nothing is sent for a change that is
    rolled back) and delivered after the commit. ``exclude`` (usually the actor) is skipped;
    each person is told once even if listed twice.
    """
    rows: list[OutboxMessage] = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        subject_line, text, html = render_email(
            "event", recipient=user, link=link, subject=subject, summary=summary
        )
        for channel in ("inbox", "email"):
            rows.append(
                OutboxMessage(
                    event=event,
                    channel=channel,
                    recipient_id=user.id,
                    recipient_email=user.email,
                    subject=subject_line,
                    body_text=text if channel == "email" else summary,
                    body_html=html if channel == "email" else "",
                    link=link,
                    object_type=obj.__tablename__ if obj is not None else "",
                    object_id=getattr(obj, "id", None),
                )
            )
    session.add_all(rows)
    session.flush()
    for row in rows:
        ring(session, DELIVER_TASK, row.id)
    return rows


def queue_email(
    session: Session,
    recipient: User,
    event: str,
    template: str,
    *,
    link: str = "",
    obj: Any = None,
    **context: Any,
) -> OutboxMessage:
    """Write an email to the outbox in the current transaction and ring once committed."""
    subject, text, html = render_email(template, recipient=recipient, link=link, **context)
    message = OutboxMessage(
        event=event,
        channel="email",
        recipient_id=recipient.id,
        recipient_email=recipient.email,
        subject=subject,
        body_text=text,
        body_html=html,
        link=link,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
    )
    session.add(message)
    session.flush()
    ring(session, DELIVER_TASK, message.id)
    return message

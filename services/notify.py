"""Queue notifications as outbox rows in the caller's transaction; ring after commit.

Emails are rendered from ``templates/emails/<name>.txt`` and ``.html`` with a plain Jinja
environment (no Flask), so workers and the CLI render the same mail as the web app.
"""

from __future__ import annotations

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

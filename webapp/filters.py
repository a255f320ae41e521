"""Jinja filters: money with thousands separators, dates with timezone and days left, and
the words for stored codes (statuses, roles) and plural forms (services/core/words.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from services.core import words
from services.topics import lifecycle


def euros(value: Decimal | None) -> str:
    """EUR 1,234,567.89 — exact, from a Decimal."""
    if value is None:
        return "—"
    return f"EUR {Decimal(value):,.2f}"


def in_zone(value: datetime | None, zone: str = "Europe/Brussels") -> str:
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(zone))
    return local.strftime("%d %b %Y %H:%M ") + (local.tzname() or zone)


def days_left(value: datetime | None) -> str:
    if value is None:
        return ""
    delta = value - datetime.now(UTC)
    days = delta.days
    if delta.total_seconds() < 0:
        return "passed"
    if days == 0:
        return "today"
    return f"{words.plural(days, 'day')} left"


_GOOD_STATES = ("published", "stage1_open", "stage2", "approved")
_ENDED_STATES = ("rejected", "withdrawn")


@lru_cache(maxsize=64)
def topic_badge(status: str) -> Markup:
    """A topic state's badge: ``{{ topic.status|topic_badge }}`` (the same markup for
    every topic in the state, kept: a macro cost a list about 40 calls a row)."""
    kind = "ok" if status in _GOOD_STATES else "err" if status in _ENDED_STATES else ""
    label = lifecycle.STATE_LABELS.get(status, status)
    return Markup('<span class="badge {}">{}</span>').format(kind, label)


def init_app(app: Flask) -> None:
    app.add_template_filter(euros)
    app.add_template_filter(in_zone)
    app.add_template_filter(days_left)
    app.add_template_filter(topic_badge)
    # {{ topic.status|status('topic') }}, {{ call.call_type|word('call_type') }},
    # {{ m.role|role }}, {{ n|plural('topic') }}
    app.add_template_filter(words.word, "status")
    app.add_template_filter(words.word, "word")
    app.add_template_filter(words.role_word, "role")
    app.add_template_filter(words.plural, "plural")
    app.add_template_filter(words.sentence, "sentence")

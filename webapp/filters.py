"""Jinja filters: money with thousands separators, dates with timezone and days left, and
the words for stored codes (statuses, roles) and plural forms (services/core/words.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from services.core import words


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


def init_app(app: Flask) -> None:
    app.add_template_filter(euros)
    app.add_template_filter(in_zone)
    app.add_template_filter(days_left)
    # {{ topic.status|status('topic') }}, {{ call.call_type|word('call_type') }},
    # {{ m.role|role }}, {{ n|plural('topic') }}
    app.add_template_filter(words.word, "status")
    app.add_template_filter(words.word, "word")
    app.add_template_filter(words.role_word, "role")
    app.add_template_filter(words.plural, "plural")
    app.add_template_filter(words.sentence, "sentence")

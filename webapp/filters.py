"""Jinja filters: money with thousands separators, dates with timezone and days left."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask


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
    return f"{days} day{'s' if days != 1 else ''} left"


def init_app(app: Flask) -> None:
    app.add_template_filter(euros)
    app.add_template_filter(in_zone)
    app.add_template_filter(days_left)

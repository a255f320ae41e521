"""Parsing of single CORDIS field values: money, dates, booleans, integers, lists."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


class FieldError(ValueError):
    """A field value that does not parse; the message says why."""


_MONEY = re.compile(r"[+-]?(\d+)(?:[.,](\d+))?")
# What a Numeric(14, 2) column holds: 12 digits before the decimal point.
MONEY_INTEGER_DIGITS = 12
_CENT = Decimal("0.01")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def parse_money(text: str) -> Decimal | None:
    """Parse "1234.5" or "1234,5" to an exact Decimal; empty is None.

    Exponents ("1e400"), infinities and amounts of more than 12 integer digits (what a
    Numeric(14, 2) column holds) are refused; more than two decimals (CORDIS has
    "0.4400000001") are rounded to the cent.
    """
    value = text.strip()
    if not value:
        return None
    match = _MONEY.fullmatch(value)
    if not match:
        raise FieldError(f"malformed amount {value[:40]!r} (not a plain finite number)")
    if len(match.group(1).lstrip("0")) > MONEY_INTEGER_DIGITS:
        shown = value if len(value) <= 40 else f"{value[:20]}... ({len(value)} characters)"
        raise FieldError(f"amount {shown!r} is too large (at most 999,999,999,999.99)")
    amount = Decimal(value.replace(",", "."))
    if match.group(2) and len(match.group(2)) > 2:
        amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return amount


def parse_date(text: str) -> date | None:
    """Parse an ISO date (YYYY-MM-DD); empty is None."""
    value = text.strip()
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise FieldError(f"malformed date {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(f"malformed date {value!r}") from None


def parse_bool(text: str) -> bool:
    """Parse "true"/"false" (any case, also 1/0, yes/no); empty is False."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FieldError(f"malformed boolean {text.strip()!r}")


def parse_int(text: str) -> int | None:
    """Parse a whole number; empty is None."""
    value = text.strip()
    if not value:
        return None
    if not _INT.fullmatch(value):
        raise FieldError(f"malformed integer {value!r}")
    return int(value)


def split_list(text: str, separators: str) -> list[str]:
    """Split on any of `separators`, strip items, drop empties and case-insensitive repeats."""
    items = re.split("[" + re.escape(separators) + "]", text) if text else []
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        item = item.strip()
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            result.append(item)
    return result

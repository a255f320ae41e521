"""Exact money: a strict parser for amounts typed by people, and cent-exact database sums."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Numeric, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

# Numeric(14, 2): at most 12 digits before the decimal point.
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")
# ASCII digits only: Python's \d (and Decimal) also take Arabic-Indic or full-width digits.
_PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?$")


class MoneyError(ValueError):
    """A typed amount that is not an exact, positive euro amount; the message says why."""


def parse_money(text: Any, *, allow_zero: bool = False) -> Decimal:
    """Parse '1234.5', '1,234.50' or '1234' into a Decimal with two places.

    Refuses letters, signs, exponents, more than two decimals, misplaced thousands
    separators, and amounts larger than the database column holds.
    """
    raw = ("" if text is None else str(text)).strip()
    if raw.upper().startswith("EUR"):
        raw = raw[3:].strip()
    if not raw:
        raise MoneyError("Enter an amount in euros.")
    if raw.startswith("-"):
        raise MoneyError("The amount cannot be negative.")
    if re.search(r"\.[0-9]{3,}$", raw) and re.fullmatch(r"[0-9,]*\.[0-9]+", raw):
        raise MoneyError("Use at most two decimals (cents).")
    if not (_PLAIN.match(raw) or _GROUPED.match(raw)):
        raise MoneyError("Enter an amount in euros such as 1,250,000.00 (digits, cents optional).")
    try:
        value = Decimal(raw.replace(",", "")).quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above exclude it
        raise MoneyError("Enter an amount in euros.") from exc
    if value > MAX_AMOUNT:
        raise MoneyError("The amount is larger than EUR 999,999,999,999.99.")
    if value == 0 and not allow_zero:
        raise MoneyError("The amount must be more than zero.")
    return value


class _CentsSum(ColumnElement[Any]):
    """SUM(column) in cents, compiled per dialect (:func:`cents_sum`)."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("where", InternalTraversal.dp_clauseelement),
    ]
    type = Numeric()

    def __init__(self, column: Any, where: Any = None) -> None:
        self.column = column
        self.where = where


def _filtered(total: Any, where: Any) -> Any:
    return total if where is None else total.filter(where)


@compiles(_CentsSum)
def _cents_rounded(element: _CentsSum, compiler: Any, **kw: Any) -> str:
    return compiler.process(_filtered(func.sum(func.round(element.column * 100)), element.where))


@compiles(_CentsSum, "postgresql")
def _cents_exact(element: _CentsSum, compiler: Any, **kw: Any) -> str:
    # numeric sums are exact: multiply the sum, not every row (per-row round(x * 100)
    # made the programme totals several times slower on 15,000 pledges).
    return compiler.process(_filtered(func.sum(element.column), element.where) * 100)


def cents_sum(column: Any, where: Any = None) -> ColumnElement[Any]:
    """SUM of a money column in whole cents, exact on PostgreSQL (numeric) and SQLite.

    SQLite keeps Numeric as REAL: rounding each value to integer cents before summing
    keeps the sum exact (integers are exact in doubles up to 2**53 cents). PostgreSQL's
    numeric is exact: it sums the column and multiplies the sum by 100. ``where`` sums
    only the rows it selects (an aggregate FILTER).
    """
    return func.coalesce(_CentsSum(column, where), 0)


def from_cents(value: Any) -> Decimal:
    """The euros of a :func:`cents_sum` result."""
    return (Decimal(round(Decimal(str(value or 0)))) / 100).quantize(CENT)

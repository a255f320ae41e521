from __future__ import annotations

from decimal import Decimal

import pytest

from services.core.money import MoneyError, parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", "1250000.00"),
        ("1,250,000.5", "1250000.50"),
        (" 12.34 ", "12.34"),
        ("EUR 999,999,999,999.99", "999999999999.99"),
        ("0.01", "0.01"),
    ],
)
def test_parses_exact_euros(text: str, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount"),
        (None, "Enter an amount"),
        ("abc", "Enter an amount in euros such as"),
        ("12a", "Enter an amount in euros such as"),
        ("-5", "negative"),
        ("1.234", "two decimals"),
        ("1,234.567", "two decimals"),
        ("1000000000000", "larger than"),
        ("1e5", "Enter an amount in euros such as"),
        ("NaN", "Enter an amount in euros such as"),
        ("Infinity", "Enter an amount in euros such as"),
        ("1,23,4", "Enter an amount in euros such as"),
        ("0", "more than zero"),
        ("+5", "Enter an amount in euros such as"),
    ],
)
def test_refuses_what_is_not_an_exact_amount(text: str | None, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_money(text)


def test_zero_allowed_for_breakdown_parts() -> None:
    assert parse_money("0", allow_zero=True) == Decimal("0.00")

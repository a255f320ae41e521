"""Field parsers: money is exact Decimal, dates ISO, booleans and lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.organisations.cordis.fields import (
    FieldError,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    split_list,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.5", "1234.5"), ("1234,5", "1234.5"), (" 299250 ", "299250"), ("0", "0")],
)
def test_money(text: str, expected: str) -> None:
    value = parse_money(text)
    assert isinstance(value, Decimal) and value == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   "])
def test_money_empty_is_none(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize("text", ["1.234,50", "12a", "NaN", "Infinity", "1e5", "€5", ".5", "1."])
def test_money_malformed(text: str) -> None:
    with pytest.raises(FieldError, match="malformed amount"):
        parse_money(text)


@given(
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        places=2,
        min_value=Decimal("-999999999999.99"),
        max_value=Decimal("999999999999.99"),
    )
)
def test_money_round_trips_decimal_strings(amount: Decimal) -> None:
    text = format(amount, "f")
    for written in (text, text.replace(".", ",")):
        value = parse_money(written)
        assert type(value) is Decimal
        assert not isinstance(value, float)
        assert value == amount and format(value, "f") == text


@given(st.text(max_size=20))
def test_money_never_returns_float(text: str) -> None:
    try:
        value = parse_money(text)
    except FieldError:
        return
    assert value is None or type(value) is Decimal


def test_dates() -> None:
    assert parse_date("2022-09-01") == date(2022, 9, 1)
    assert parse_date("") is None
    for bad in ("2022-13-01", "01/09/2022", "2022-9-1", "20220901"):
        with pytest.raises(FieldError, match="malformed date"):
            parse_date(bad)


def test_bool_and_int() -> None:
    assert parse_bool("true") and parse_bool("TRUE") and not parse_bool("false")
    assert not parse_bool("")
    with pytest.raises(FieldError):
        parse_bool("maybe")
    assert parse_int("12") == 12 and parse_int("") is None
    with pytest.raises(FieldError):
        parse_int("1.5")


def test_split_list_strips_and_dedupes() -> None:
    assert split_list("a, b;c ,, a ; B", ",;") == ["a", "b", "c"]
    assert split_list("x;y,z", ";") == ["x", "y,z"]
    assert split_list("", ";") == []

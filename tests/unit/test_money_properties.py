"""Property tests for the strict money parser: exact round trips, and never a wrong amount."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.core.money import MAX_AMOUNT, MoneyError, parse_money
from webapp.api.schemas import MoneyOut

CENTS = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))


def _grouped(whole: int) -> str:
    return f"{whole:,}"


@given(CENTS, st.booleans(), st.booleans(), st.sampled_from(["", "EUR ", "EUR"]))
def test_every_written_form_of_an_amount_parses_to_it(
    cents: int, grouped: bool, short_cents: bool, prefix: str
) -> None:
    amount = Decimal(cents) / 100
    whole, frac = divmod(cents, 100)
    head = _grouped(whole) if grouped else str(whole)
    tail = f"{frac:02d}"
    if short_cents and tail.endswith("0"):
        tail = tail[0]
    text = f"{prefix}{head}.{tail}"
    assert parse_money(text) == amount
    assert parse_money(f"  {text} ") == amount


@given(CENTS)
def test_api_string_round_trips(cents: int) -> None:
    """What the API writes (two decimals, no separators) parses back to the same cents."""
    amount = Decimal(cents) / 100
    written = MoneyOut()._serialize(amount, None, None)
    assert written is not None and written.count(".") == 1 and len(written.split(".")[1]) == 2
    assert parse_money(written) == amount


@given(st.text(max_size=30))
def test_arbitrary_text_is_refused_or_exact(text: str) -> None:
    """Any input either raises MoneyError or gives a positive amount with exactly 2 places
    within the column's range; never another exception, never a float-like rounding."""
    try:
        value = parse_money(text)
    except MoneyError:
        return
    assert Decimal("0.01") <= value <= MAX_AMOUNT
    assert value == value.quantize(Decimal("0.01"))
    written = text.strip()
    if written.upper().startswith("EUR"):
        written = written[3:].strip()
    assert Decimal(written.replace(",", "")) == value  # exactly what was written


@given(CENTS, st.integers(min_value=1, max_value=9))
def test_more_than_two_decimals_is_refused(cents: int, extra: int) -> None:
    whole, frac = divmod(cents, 100)
    try:
        parse_money(f"{whole}.{frac:02d}{extra}")
    except MoneyError:
        return
    raise AssertionError("three decimals were accepted")


@given(st.integers(min_value=1, max_value=10**15), st.sampled_from(["-", "+", ""]))
def test_signs_exponents_and_overflow_are_refused(n: int, sign: str) -> None:
    for text in (f"-{n}", f"{n}e2", f"{sign}{n}E-1"):
        try:
            parse_money(text)
        except MoneyError:
            continue
        raise AssertionError(f"{text!r} was accepted")
    if n > MAX_AMOUNT:
        try:
            parse_money(str(n))
        except MoneyError:
            return
        raise AssertionError("an amount over the column's range was accepted")

"""services.consortia.params.validate: the one check of the match parameters (no DB)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.base import ID_MAX
from services.consortia import params
from services.core.errors import InvalidInput

DEFAULTS = {
    "size": 6, "sector_counts": {"academia": 2, "industry": 0}, "sector_mode": "hard",
    "min_countries": 4, "max_per_country": None, "min_sme_share": 0.2, "capacity": None,
    "industry_partners": "ignore", "alternates": 30, "interest": "mark",
    "interest_bonus": 0.1, "must_include": [], "exclude": [], "associated_partners": "no_seats",
}  # fmt: skip


def _errors(raw: dict) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as exc:
        params.validate(raw, DEFAULTS)
    return exc.value.field_errors


def test_absent_fields_take_the_defaults_normalised():
    out = params.validate({}, DEFAULTS)
    assert out == {**DEFAULTS, "sector_counts": {"academia": 2}}


def test_values_are_normalised():
    out = params.validate(
        {
            "size": 8.0,
            "sector_counts": {"sme": 1, "academia": 3, "public": None},
            "min_sme_share": Decimal("0.123456"),
            "must_include": [5, 3, 5],
            "max_per_country": None,
        },
        DEFAULTS,
    )
    assert out["size"] == 8 and out["sector_counts"] == {"academia": 3, "sme": 1}
    assert out["min_sme_share"] == 0.1235 and out["must_include"] == [3, 5]


@pytest.mark.parametrize(
    "raw, field, message",
    [
        ({"size": 0}, "size", "Enter a whole number between 1 and 200."),
        ({"size": None}, "size", "Enter a whole number between 1 and 200."),
        ({"size": "6"}, "size", "Enter a whole number between 1 and 200."),
        ({"size": True}, "size", "Enter a whole number between 1 and 200."),
        ({"size": 6.5}, "size", "Enter a whole number between 1 and 200."),
        ({"capacity": 0}, "capacity", "Enter a whole number between 1 and 100."),
        ({"min_sme_share": float("nan")}, "min_sme_share", "Enter a share between 0 and 1"),
        ({"min_sme_share": "0.2"}, "min_sme_share", "Enter a share between 0 and 1"),
        ({"sector_mode": "maybe"}, "sector_mode", "Choose hard or soft."),
        ({"industry_partners": 1}, "industry_partners", "Choose exclude, include or ignore."),
        ({"interest": "love"}, "interest", "Choose mark, prefer or ignore."),
        ({"interest_bonus": 1.5}, "interest_bonus", "Enter a share between 0 and 1"),
        ({"sector_counts": []}, "sector_counts", "Give seat counts per sector."),
        ({"sector_counts": {"martians": 1}}, "sector_counts", "Unknown sector 'martians'"),
        ({"sector_counts": {"sme": -1}}, "sector_counts", "Seats for sme: enter a whole"),
        ({"size": 3, "sector_counts": {"sme": 4}}, "sector_counts", "add up to 4"),
        ({"must_include": [0]}, "must_include", "Give organisation ids."),
        ({"must_include": [ID_MAX + 1]}, "must_include", "Give organisation ids."),
        ({"must_include": ["x"]}, "must_include", "Give organisation ids."),
        ({"must_include": list(range(1, 202))}, "must_include", "at most 200"),
        ({"exclude": 5}, "exclude", "Give a list of organisation ids."),
        ({"must_include": [4], "exclude": [4]}, "exclude", "both required and excluded"),
    ],
)
def test_bad_values_are_named_by_field(raw, field, message):
    errors = _errors(raw)
    assert list(errors) == [field]
    assert message in " ".join(errors[field])


def test_every_error_at_once_and_a_field_without_default_is_required():
    errors = _errors({"size": 0, "alternates": 501, "sector_mode": "x"})
    assert set(errors) == {"size", "alternates", "sector_mode"}
    with pytest.raises(InvalidInput) as exc:
        params.validate({}, {}, names=("size",))
    assert exc.value.field_errors == {"size": [params.REQUIRED]}


def test_one_seat_is_checked_alone_for_the_form():
    assert params.SECTOR_COUNTS.seat_errors("sme", 3) == []
    assert params.SECTOR_COUNTS.seat_errors("sme", 201) == [
        "Seats for sme: enter a whole number between 0 and 200."
    ]

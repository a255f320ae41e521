"""The country table and Horizon Europe status helpers."""

from __future__ import annotations

import pytest

from models.countries import (
    COUNTRY_NAMES,
    EU_MEMBER_STATES,
    HORIZON_EUROPE_ASSOCIATED,
    country_name,
    is_associated,
    is_eligible,
    is_eu_member,
    normalise_country,
)


def test_table_covers_iso_list_and_kosovo() -> None:
    assert len(COUNTRY_NAMES) >= 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_NAMES)
    assert "XK" in COUNTRY_NAMES
    assert len(EU_MEMBER_STATES) == 27
    assert COUNTRY_NAMES.keys() >= EU_MEMBER_STATES
    assert COUNTRY_NAMES.keys() >= HORIZON_EUROPE_ASSOCIATED
    assert not EU_MEMBER_STATES & HORIZON_EUROPE_ASSOCIATED


@pytest.mark.parametrize(
    ("given", "expected"),
    [("EL", "GR"), ("UK", "GB"), (" el ", "GR"), ("de", "DE"), ("TD", "TD"), ("XK", "XK")],
)
def test_normalise_country_maps_cordis_codes(given: str, expected: str) -> None:
    assert normalise_country(given) == expected


@pytest.mark.parametrize("given", ["XH", "", "   ", "ZZ", "GRC", None])
def test_normalise_country_unknown_is_none(given: str | None) -> None:
    assert normalise_country(given) is None


def test_statuses() -> None:
    assert is_eu_member("EL") and is_eu_member("de") and is_eu_member("RE")
    assert not is_eu_member("UK") and is_associated("UK") and is_eligible("UK")
    assert is_associated("NO") and is_associated("CH") and is_associated("XK")
    assert not is_eligible("US") and not is_eligible("CN") and not is_eligible("LI")
    assert not is_eligible("XH") and not is_eu_member(None)


def test_country_name() -> None:
    assert country_name("EL") == "Greece"
    assert country_name("uk") == "United Kingdom"
    assert country_name("TR") == "Türkiye"
    assert country_name("XK") == "Kosovo"
    assert country_name("XH") is None

"""Countries typed by people: ISO and CORDIS codes, English names, local forms."""

from __future__ import annotations

import pytest

from services.organisations.countries import resolve_country


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Turkey", "TR"), ("Türkiye", "TR"), ("TUR", "TR"), ("EL", "GR"), ("UK", "GB"),
        ("United Kingdom", "GB"), ("Czech Republic", "CZ"), ("Česko", "CZ"),
        ("Deutschland", "DE"), ("Österreich", "AT"), ("Schweiz", "CH"), ("Suisse", "CH"),
        ("Polska", "PL"), ("Magyarország", "HU"), ("Србија", "RS"), ("Norge", "NO"),
        ("België", "BE"), ("Belgique", "BE"), ("Kosovo", "XK"), ("côte d'ivoire", "CI"),
    ],
)  # fmt: skip
def test_codes_and_names_resolve(typed, code):
    assert resolve_country(typed) == code


@pytest.mark.parametrize("typed", ["", "  ", "Atlantis", "XX", "--", "ZZZ"])
def test_unknown_countries_resolve_to_nothing(typed):
    assert resolve_country(typed) is None

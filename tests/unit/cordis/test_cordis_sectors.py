"""activityType + SME flag -> the product's sector labels."""

from __future__ import annotations

import pytest

from services.organisations.cordis.sectors import sector_for


@pytest.mark.parametrize(
    ("activity", "sme", "sector"),
    [
        ("HES", False, "academia"),
        ("REC", True, "research"),
        ("PRC", True, "sme"),
        ("PRC", False, "industry"),
        ("PUB", False, "public"),
        ("OTH", True, "other"),
        ("", False, "other"),
        ("prc", True, "sme"),
        ("XYZ", False, "other"),
    ],
)
def test_sector_for(activity: str, sme: bool, sector: str) -> None:
    assert sector_for(activity, sme) == sector

import pytest

from matching.sectors import SECTOR_GROUPS, SECTORS, sector_from_cordis


@pytest.mark.parametrize(
    ("code", "sme", "expected"),
    [
        ("HES", False, "academia"),
        ("REC", "false", "research"),
        ("PRC", "true", "sme"),
        ("PRC", False, "industry"),
        ("PUB", None, "public"),
        ("OTH", False, "other"),
        ("", False, "other"),
    ],
)
def test_sector_from_cordis(code, sme, expected):
    assert sector_from_cordis(code, sme) == expected


def test_groups_cover_our_sectors_and_cordis_codes():
    assert SECTOR_GROUPS["PRC"] == {"industry", "sme"}
    assert SECTOR_GROUPS["OTH"] == {"other", "patient"}
    assert all(SECTOR_GROUPS[s] == {s} for s in SECTORS)

"""Map CORDIS activity types to the product's sector labels."""

from __future__ import annotations

_BY_ACTIVITY: dict[str, str] = {
    "HES": "academia",
    "REC": "research",
    "PUB": "public",
    "OTH": "other",
    "": "other",
}
# The order of the CORDIS data dictionary; it settles the last ties of the vote
# (services.organisations.cordis_sectors): the earlier code wins.
ACTIVITY_ORDER = ("HES", "REC", "PRC", "PUB", "OTH")


def sector_for(activity_type: str | None, is_sme: bool) -> str:
    """Return the sector label for a CORDIS activityType and SME flag.

    HES->academia, REC->research, PRC->sme or industry, PUB->public, OTH and ''->other.
    An unrecognised code also maps to "other".
    """
    code = (activity_type or "").strip().upper()
    if code == "PRC":
        return "sme" if is_sme else "industry"
    return _BY_ACTIVITY.get(code, "other")

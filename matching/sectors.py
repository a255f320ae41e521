"""Sector vocabulary shared with the database models, and the CORDIS mapping."""

from __future__ import annotations

ACADEMIA = "academia"
RESEARCH = "research"
INDUSTRY = "industry"
SME = "sme"
PATIENT = "patient"
PUBLIC = "public"
OTHER = "other"

SECTORS: tuple[str, ...] = (ACADEMIA, RESEARCH, INDUSTRY, SME, PATIENT, PUBLIC, OTHER)

CORDIS_CODES: tuple[str, ...] = ("HES", "REC", "PRC", "PUB", "OTH")

# A sector_counts key may be one of our sectors or a CORDIS activityType code.
SECTOR_GROUPS: dict[str, frozenset[str]] = {
    **{s: frozenset({s}) for s in SECTORS},
    "HES": frozenset({ACADEMIA}),
    "REC": frozenset({RESEARCH}),
    "PRC": frozenset({INDUSTRY, SME}),
    "PUB": frozenset({PUBLIC}),
    "OTH": frozenset({OTHER, PATIENT}),
}

SECTOR_LABELS: dict[str, str] = {
    ACADEMIA: "academic",
    RESEARCH: "research-organisation",
    INDUSTRY: "industry",
    SME: "SME",
    PATIENT: "patient-organisation",
    PUBLIC: "public-body",
    OTHER: "other",
    "HES": "HES (academic)",
    "REC": "REC (research)",
    "PRC": "PRC (company)",
    "PUB": "PUB (public)",
    "OTH": "OTH (other)",
}

_FROM_CORDIS = {"HES": ACADEMIA, "REC": RESEARCH, "PUB": PUBLIC, "OTH": OTHER}


def sector_from_cordis(activity_type: str, is_sme: bool | str | None) -> str:
    """Map a CORDIS activityType (+ SME flag) to our sector; unknown codes map to "other".

    Patient organisations are not derivable from CORDIS: they arrive as "other".
    """
    code = (activity_type or "").strip().upper()
    if code == "PRC":
        sme = is_sme if isinstance(is_sme, bool) else str(is_sme).strip().lower() == "true"
        return SME if sme else INDUSTRY
    return _FROM_CORDIS.get(code, OTHER)


def sector_group(key: str) -> frozenset[str]:
    """Our sectors denoted by a sector_counts key; raises KeyError for unknown keys."""
    return SECTOR_GROUPS[key]

"""Load the CORDIS Horizon Europe extract for the matching benchmarks (never committed).

Set CORDIS_DIR to point elsewhere; default /work/shared/data/cordis-he.
"""

from __future__ import annotations

import csv
import gzip
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from matching.sectors import sector_from_cordis
from matching.types import Candidate, ProjectDoc

DATA_DIR = Path(os.environ.get("CORDIS_DIR", "/work/shared/data/cordis-he"))
EU27 = {
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
}
ASSOCIATED = {
    "AL",
    "AM",
    "BA",
    "FO",
    "GE",
    "IS",
    "IL",
    "XK",
    "MD",
    "ME",
    "NZ",
    "MK",
    "NO",
    "RS",
    "TN",
    "TR",
    "UA",
    "UK",
    "CH",
    "CA",
    "KR",
}

csv.field_size_limit(10**8)


@dataclass
class Participation:
    project_id: str
    pic: int
    name: str
    sme: bool
    activity: str
    country: str
    role: str


def require_data() -> None:
    for f in ("project.csv.gz", "organization.csv.gz"):
        if not (DATA_DIR / f).exists():
            sys.exit(f"CORDIS data not found: {DATA_DIR / f} (set CORDIS_DIR); skipping benchmark")


def _rows(name: str):
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=";")


def is_health(topic: str) -> bool:
    return topic.startswith("HORIZON-HLTH") or "IHI" in topic


def load_projects() -> list[tuple[ProjectDoc, dict]]:
    out = []
    for r in _rows("project.csv.gz"):
        year = int(r["startDate"][:4]) if r.get("startDate", "")[:4].isdigit() else None
        kws = [k.strip() for k in (r.get("keywords") or "").split(",") if k.strip()]
        esv = (r.get("euroSciVoc") or "").replace(";", " ")
        doc = ProjectDoc(
            id=r["projectID"],
            title=r.get("title") or "",
            text=" ".join([r.get("objective") or "", esv]),
            keywords=kws,
            topic=r.get("topic") or "",
            call=r.get("masterCall") or "",
            start_year=year,
        )
        out.append((doc, {"objective": r.get("objective") or "", "euroSciVoc": esv}))
    return out


def load_participations() -> list[Participation]:
    out = []
    for r in _rows("organization.csv.gz"):
        if not r["organisationID"].strip().isdigit():
            continue
        out.append(
            Participation(
                project_id=r["projectID"],
                pic=int(r["organisationID"]),
                name=r["name"],
                sme=(r.get("SME") or "").lower() == "true",
                activity=r.get("activityType") or "",
                country=r.get("country") or "",
                role=r.get("role") or "",
            )
        )
    return out


def make_candidates(parts: list[Participation]) -> list[Candidate]:
    """One candidate per PIC: most frequent sector code and country, EU/associated flags,
    associated_only when every row of it is an associatedPartner one."""
    by: dict[int, list[Participation]] = defaultdict(list)
    for p in parts:
        by[p.pic].append(p)
    out = []
    for pic in sorted(by):
        ps = by[pic]
        sector = Counter(sector_from_cordis(p.activity, p.sme) for p in ps).most_common(1)[0][0]
        country = Counter(p.country for p in ps).most_common(1)[0][0]
        out.append(
            Candidate(
                id=pic,
                name=ps[0].name,
                sector=sector,
                country=country,
                is_sme=sector == "sme",
                pic=str(pic),
                eu_member=country in EU27,
                eligible_country=country in EU27 or country in ASSOCIATED,
                associated_only=all(p.role == "associatedPartner" for p in ps),
            )
        )
    return out

"""`partnering suggest FILE.json`: one consortium from a JSON description, as JSON.

Input: title, text, keywords (list), size, sector_counts (our sectors or CORDIS codes
HES/REC/PRC/PUB/OTH), min_countries, optional must_include / exclude (PICs or ids),
alternates (default 100). Output: consortium (members in rank order) and alternates, each
with pic, name, sector, country, score and why. A malformed file raises InvalidInput.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.consortium import build_consortium
from matching.index import ExpertiseIndex
from matching.scoring import explain, project_similarities
from matching.sectors import SECTOR_GROUPS
from matching.types import ConsortiumSpec, SpecError, TopicQuery
from models import Organisation
from services.core.errors import InvalidInput

FIELDS = {
    "title",
    "text",
    "keywords",
    "size",
    "sector_counts",
    "min_countries",
    "must_include",
    "exclude",
    "alternates",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse(raw: str) -> dict[str, Any]:
    """Check the JSON text; every problem is listed in one InvalidInput message."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("the file must hold a JSON object")
    errors: list[str] = []
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        errors.append(f"unknown field(s) {unknown}; expected {sorted(FIELDS)}")
    for key in ("title", "text"):
        if not isinstance(data.get(key, ""), str):
            errors.append(f"{key} must be a string")
    if not str(data.get("title") or "").strip() and not str(data.get("text") or "").strip():
        errors.append("give a title or a text to match")
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        errors.append("keywords must be a list of strings")
    size = data.get("size")
    if not _is_int(size) or size < 1:
        errors.append(f"size must be a positive integer, got {size!r}")
    counts = data.get("sector_counts", {})
    if not isinstance(counts, dict):
        errors.append("sector_counts must be an object of counts keyed by sector")
    else:
        for key, value in counts.items():
            if key not in SECTOR_GROUPS:
                errors.append(
                    f"unknown sector {key!r} in sector_counts; use {sorted(SECTOR_GROUPS)}"
                )
            if not _is_int(value) or value < 0:
                errors.append(f"sector_counts[{key!r}] must be a non-negative integer")
    for key, default in (("min_countries", 3), ("alternates", 100)):
        value = data.get(key, default)
        if not _is_int(value) or value < 0:
            errors.append(f"{key} must be a non-negative integer, got {value!r}")
    for key in ("must_include", "exclude"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(
            _is_int(v) or (isinstance(v, str) and v.strip()) for v in value
        ):
            errors.append(f"{key} must be a list of PICs (strings) or organisation ids")
    if errors:
        raise InvalidInput("; ".join(errors))
    return data


def resolve(session: Session, refs: list[Any], field: str) -> list[int]:
    """Organisation ids for PICs (strings) or ids (integers); merged ones follow their merge."""
    out: list[int] = []
    missing: list[Any] = []
    for ref in refs:
        org = None
        if isinstance(ref, str):
            org = session.scalar(select(Organisation).where(Organisation.pic == ref.strip()))
            if org is None and ref.strip().isdigit():
                org = session.get(Organisation, int(ref))
        else:
            org = session.get(Organisation, ref) or session.scalar(
                select(Organisation).where(Organisation.pic == str(ref))
            )
        seen = 0
        while org is not None and org.merged_into_id is not None and seen < 10:
            org, seen = session.get(Organisation, org.merged_into_id), seen + 1
        if org is None:
            missing.append(ref)
        else:
            out.append(org.id)
    if missing:
        raise InvalidInput(f"{field}: no organisation with PIC or id {missing}")
    return sorted(set(out))


def _row(index: ExpertiseIndex, cid: int, score: float, why: str) -> dict[str, Any]:
    c = index.candidates[index.row(cid)]
    return {
        "id": c.id,
        "pic": c.pic,
        "name": c.name,
        "sector": c.sector,
        "country": c.country,
        "score": round(float(score), 6),
        "why": why,
    }


def suggest(
    session: Session, index: ExpertiseIndex, data: dict[str, Any], version_id: int
) -> dict[str, Any]:
    """Run the engine on a parsed input; InvalidInput for refs or specs it cannot use."""
    must = resolve(session, data.get("must_include", []), "must_include")
    exclude = resolve(session, data.get("exclude", []), "exclude")
    absent = [i for i in must if i not in index.row_of]
    if absent:
        raise InvalidInput(f"must_include: organisation(s) {absent} are not in the expertise index")
    spec = ConsortiumSpec(
        size=data["size"],
        sector_counts=dict(data.get("sector_counts", {})),
        min_countries=data.get("min_countries", 3),
        must_include=must,
        exclude=exclude,
        alternates=data.get("alternates", 100),
    )
    query = TopicQuery(data.get("title", ""), data.get("text", ""), data.get("keywords", []))
    try:
        sugg = build_consortium(index, query, spec)
    except SpecError as exc:
        raise InvalidInput(str(exc)) from exc
    sims, q = project_similarities(index, query)
    alternates = []
    for cid, score in sugg.alternates:
        e = explain(index, query, cid, sims=sims, q=q, score=score)
        alternates.append(_row(index, cid, score, "; ".join(e.reasons)))
    return {
        "feasible": sugg.feasible,
        "problems": sugg.problems,
        "objective": round(sugg.objective, 6),
        "solver": sugg.solver,
        "solve_ms": round(sugg.solve_ms, 1),
        "index_version": version_id,
        "consortium": [
            _row(index, m.candidate_id, m.score, "; ".join(r for r in m.reasons if r))
            for m in sugg.members
        ],
        "alternates": alternates,
    }


def read_file(path: str | Path) -> dict[str, Any]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    return parse(raw)

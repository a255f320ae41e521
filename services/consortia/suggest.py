"""`partnering suggest FILE.json`: one consortium from a JSON description, as JSON.

Input: title, text, keywords (list), size, sector_counts (our sectors or CORDIS codes
HES/REC/PRC/PUB/OTH), min_countries (default 3), optional must_include / exclude /
interested (PICs or ids; interested: organisations that expressed interest, treated as
``interest`` says: mark, prefer with ``interest_bonus``, or ignore), alternates (default
100), associated_partners (no_seats or seats), programme (a call-identifier prefix, or a
list: the lineage) with call (the topic's call identifier): the programme's strictly earlier
calls then weigh in (services.consortia.history); the fields shared with a match request
have its bounds (services.consortia.params).
Output: consortium (members in rank order) and alternates, each with pic, name, sector,
country, score and why. A malformed file raises InvalidInput.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.consortium import build_consortium
from matching.index import ExpertiseIndex
from matching.scoring import explain, project_similarities, query_columns
from matching.types import ConsortiumSpec, SpecError, TopicQuery
from models import Organisation
from services.consortia import params
from services.consortia.history import programme_history
from services.core.errors import InvalidInput
from services.organisations.cordis.programmes import MAX_PREFIX_LENGTH, MAX_PREFIXES, call_order

FIELDS = {
    "title",
    "text",
    "keywords",
    "size",
    "sector_counts",
    "min_countries",
    "must_include",
    "exclude",
    "interested",
    "alternates",
    "interest",
    "interest_bonus",
    "associated_partners",
    "programme",
    "call",
}


# The fields shared with a match request, checked by the same declaration; the defaults
# are the command's own (no topic to take them from).
SHARED = (
    "size",
    "sector_counts",
    "min_countries",
    "alternates",
    "interest",
    "interest_bonus",
    "associated_partners",
)
DEFAULTS = {
    "sector_counts": {},
    "min_countries": 3,
    "alternates": 100,
    "interest": params.INTEREST.default,
    "interest_bonus": params.INTEREST_BONUS.default,
    "associated_partners": params.ASSOCIATED_PARTNERS.default,
}
# A call identifier or a prefix of one: letters, digits, '-', '_' and '.'.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CALL_LENGTH = 120  # as CordisProject.call
REFS = ("must_include", "exclude", "interested")
REFS_LIMIT = {"interested": "exclude"}  # as many as may be excluded


def parse(raw: str) -> dict[str, Any]:
    """Check the JSON text; every problem is listed in one InvalidInput message (and in its
    field errors, keyed by field name as for the form and the API)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("the file must hold a JSON object")
    shared, errors = params.check(data, DEFAULTS, SHARED)
    problems = [f"{key}: {m}" for key, messages in errors.items() for m in messages]
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        problems.append(f"unknown field(s) {unknown}; expected {sorted(FIELDS)}")
    for key in ("title", "text"):
        if not isinstance(data.get(key, ""), str):
            errors[key] = [f"{key} must be a string"]
    if not str(data.get("title") or "").strip() and not str(data.get("text") or "").strip():
        errors.setdefault("title", []).append("give a title or a text to match")
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        errors["keywords"] = ["keywords must be a list of strings"]
    for key in REFS:
        refs, most = data.get(key, []), params.PARAMS[REFS_LIMIT.get(key, key)].max_items
        if not isinstance(refs, list) or not all(_is_ref(v) for v in refs):
            errors[key] = [f"{key} must be a list of PICs (strings) or organisation ids"]
        elif len(refs) > most:
            errors[key] = [f"{key}: give at most {most} organisations"]
    errors.update(_programme_errors(data))
    problems += [m for key, messages in errors.items() if key not in SHARED for m in messages]
    if problems:
        raise InvalidInput("; ".join(problems), errors)
    return {**data, **shared}


def _programme_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """programme (a call-identifier prefix, or a list of them: the lineage) and call (the
    topic's call identifier, with a year) come together or not at all."""
    errors: dict[str, list[str]] = {}
    programme, call = data.get("programme"), data.get("call")
    if programme is None and call is None:
        return errors
    prefixes = programme if isinstance(programme, list) else [programme]
    if (
        not prefixes
        or len(prefixes) > MAX_PREFIXES
        or not all(_identifier(p, MAX_PREFIX_LENGTH) for p in prefixes)
    ):
        errors["programme"] = [
            'programme must be a call-identifier prefix such as "HORIZON-JU-IHI" (or a list '
            f"of at most {MAX_PREFIXES}), letters, digits, '-', '_' or '.', at most "
            f"{MAX_PREFIX_LENGTH} characters"
        ]
    if not isinstance(call, str) or not _identifier(call, CALL_LENGTH) or call_order(call) is None:
        errors["call"] = [
            "call must be the topic's call identifier with its year, such as "
            '"HORIZON-JU-IHI-2024-08-two-stage"'
        ]
    return errors


def _identifier(value: Any, most: int) -> bool:
    return isinstance(value, str) and len(value) <= most and bool(IDENTIFIER.fullmatch(value))


def _is_ref(value: Any) -> bool:
    """A PIC (a non-empty string) or an organisation id."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)


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
    interested = resolve(session, data.get("interested", []), "interested")
    absent = [i for i in must if i not in index.row_of]
    if absent:
        raise InvalidInput(f"must_include: organisation(s) {absent} are not in the expertise index")
    spec = ConsortiumSpec(
        associated_partners=data["associated_partners"],
        size=data["size"],
        sector_counts=dict(data["sector_counts"]),
        min_countries=data["min_countries"],
        must_include=must,
        exclude=exclude,
        alternates=data["alternates"],
        interested=interested,
        interest_mode=data["interest"],
        interest_bonus=data["interest_bonus"],
    )
    history = None
    if data.get("programme"):
        wanted = data["programme"]
        history = programme_history(
            session, wanted if isinstance(wanted, list) else [wanted], data["call"]
        )
    query = TopicQuery(
        data.get("title", ""), data.get("text", ""), data.get("keywords", []), history
    )
    try:
        sugg = build_consortium(index, query, spec)
    except SpecError as exc:
        raise InvalidInput(str(exc)) from exc
    sims, q = project_similarities(index, query)
    columns = query_columns(index, q)
    alternates = []
    for cid, score in sugg.alternates:
        e = explain(index, query, cid, sims=sims, q=q, score=score, columns=columns)
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

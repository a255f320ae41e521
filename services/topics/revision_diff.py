"""Differences between two revisions of a topic, by field label, as people read them.

Texts are compared word by word (segments kept, inserted, deleted: the template marks them
with <ins>/<del> and words for screen readers); numbers and money are compared as
``Decimal``, so ``8000000`` and ``8000000.00`` are one value and no change; the area, the
call and the industry consortium are shown by name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, Organisation, ScientificArea, TopicRevision
from models.organisations import SECTOR_LABELS

TEXT_FIELDS = {
    "title": "Title",
    "identifier": "Topic identifier",
    "challenge": "Challenge",
    "scope": "Scope",
    "expected_outcomes": "Expected outcomes",
    "expected_impact": "Expected impact",
    "keywords": "Required expertise (keywords)",
}
MONEY_FIELDS = {
    "eu_contribution": "Indicative EU contribution",
    "industry_contribution": "Expected industry contribution",
}
NUMBER_FIELDS = {
    "duration_months": "Duration (months)",
    "consortium_size_min": "Smallest applicant consortium",
    "consortium_size_max": "Largest applicant consortium",
    "min_countries": "Minimum number of countries",
}
# Every field a diff may list, in the order of the form.
FIELD_LABELS = {
    **TEXT_FIELDS,
    "area_id": "Scientific area",
    "call_id": "Call",
    **MONEY_FIELDS,
    **NUMBER_FIELDS,
    "sme_share": "SME share",
    "sector_targets": "Sector targets",
    "industry_partners": "Pre-defined industry consortium",
}
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Segment:
    kind: str  # "same" | "ins" | "del"
    text: str


@dataclass
class FieldDiff:
    name: str
    label: str
    segments: list[Segment] = field(default_factory=list)  # texts, word by word
    old: str = ""  # values in words (numbers, money, names)
    new: str = ""

    @property
    def is_text(self) -> bool:
        return self.name in TEXT_FIELDS


def as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def same_value(name: str, a: Any, b: Any) -> bool:
    """Whether two snapshot values of field ``name`` are the same (numbers as numbers)."""
    if name in MONEY_FIELDS or name in NUMBER_FIELDS or name == "sme_share":
        return as_decimal(a) == as_decimal(b)
    if name == "sector_targets":
        return _targets(a) == _targets(b)
    if name == "industry_partners":
        return sorted(a or []) == sorted(b or [])
    return (a or "") == (b or "")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The labels of the fields that really differ between two snapshots."""
    return [
        label
        for name, label in FIELD_LABELS.items()
        if not same_value(name, before.get(name), after.get(name))
    ]


def word_diff(a: str, b: str) -> list[Segment]:
    """``a`` → ``b`` word by word; spaces between two changes join the change."""
    old, new = _TOKENS.findall(a or ""), _TOKENS.findall(b or "")
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # An "equal" run of whitespace alone between two changes reads better inside them.
    merged: list[list[Any]] = []
    for i, (tag, i1, i2, j1, j2) in enumerate(ops):
        between = 0 < i < len(ops) - 1 and tag == "equal"
        if between and not "".join(old[i1:i2]).strip():
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
            merged[-1][0] = "replace"
        else:
            merged.append([tag, i1, i2, j1, j2])
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            out.append(Segment("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(Segment("del", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(Segment("ins", "".join(new[j1:j2])))
    return out


def _money(value: Any) -> str:
    number = as_decimal(value)
    return "—" if number is None else f"EUR {number:,.2f}"


def _number(value: Any) -> str:
    number = as_decimal(value)
    return "—" if number is None else f"{number.normalize():f}"


def _share(value: Any) -> str:
    number = as_decimal(value)
    return "—" if number is None else f"{(number * 100).normalize():f} %"


def _targets(value: Any) -> dict[str, Decimal | int]:
    out: dict[str, Decimal | int] = {}
    for sector, target in (value or {}).items():
        if isinstance(target, int):
            out[sector] = target
        elif as_decimal(target) is not None:
            out[sector] = as_decimal(target)  # type: ignore[assignment]
    return out


def _targets_words(value: Any) -> str:
    parts = []
    for sector, target in sorted(_targets(value).items()):
        label = SECTOR_LABELS.get(sector, sector)
        parts.append(f"{label}: {target} members" if isinstance(target, int) else
                     f"{label}: {_share(target)}")  # fmt: skip
    return "; ".join(parts) or "—"


def _names(session: Session, model: Any, ids: set[int], attr: str) -> dict[int, str]:
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = session.scalars(select(model).where(model.id.in_(ids)))
    return {r.id: getattr(r, attr) for r in rows}


def diff(session: Session, old: TopicRevision, new: TopicRevision) -> list[FieldDiff]:
    """The fields that really differ, by label; the template escapes every piece."""
    a, b = old.snapshot or {}, new.snapshot or {}
    area_ids = {i for i in (a.get("area_id"), b.get("area_id")) if i is not None}
    call_ids = {i for i in (a.get("call_id"), b.get("call_id")) if i is not None}
    areas = _names(session, ScientificArea, area_ids, "name")
    calls = _names(session, Call, call_ids, "identifier")
    partners = set(a.get("industry_partners") or []) | set(b.get("industry_partners") or [])
    orgs = _names(session, Organisation, partners, "display_name")

    def words(name: str, value: Any) -> str:
        if name in MONEY_FIELDS:
            return _money(value)
        if name in NUMBER_FIELDS:
            return _number(value)
        if name == "sme_share":
            return _share(value)
        if name == "sector_targets":
            return _targets_words(value)
        if name == "area_id":
            return areas.get(value, "—") if value is not None else "—"
        if name == "call_id":
            return calls.get(value, "—") if value is not None else "—"
        names = sorted(orgs.get(i, f"organisation {i}") for i in value or [])
        return ", ".join(names) or "—"

    out = []
    for name, label in FIELD_LABELS.items():
        before, after = a.get(name), b.get(name)
        if same_value(name, before, after):
            continue
        if name in TEXT_FIELDS:
            out.append(FieldDiff(name, label, word_diff(str(before or ""), str(after or ""))))
        else:
            out.append(FieldDiff(name, label, old=words(name, before), new=words(name, after)))
    return out

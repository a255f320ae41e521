"""Differences between two revisions of a topic, field by field (plain text lines)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from models import TopicRevision

FIELD_LABELS = {
    "title": "Title",
    "identifier": "Identifier",
    "area_id": "Scientific area (id)",
    "call_id": "Call (id)",
    "challenge": "Challenge",
    "scope": "Scope",
    "expected_outcomes": "Expected outcomes",
    "expected_impact": "Expected impact",
    "keywords": "Keywords",
    "eu_contribution": "EU contribution (EUR)",
    "industry_contribution": "Industry contribution (EUR)",
    "duration_months": "Duration (months)",
    "consortium_size_min": "Smallest consortium",
    "consortium_size_max": "Largest consortium",
    "min_countries": "Minimum countries",
    "sme_share": "SME share",
    "sector_targets": "Sector targets",
    "industry_partners": "Industry consortium (organisation ids)",
}


@dataclass
class FieldDiff:
    name: str
    label: str
    lines: list[tuple[str, str]]  # (kind: "add" | "del" | "ctx" | "hunk", text)


def _text(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict | list):
        return [json.dumps(value, sort_keys=True)]
    return str(value).splitlines()


def diff(old: TopicRevision, new: TopicRevision) -> list[FieldDiff]:
    """Unified diffs of the fields that differ; the template escapes every line."""
    out = []
    for name, label in FIELD_LABELS.items():
        a, b = old.snapshot.get(name), new.snapshot.get(name)
        if a == b:
            continue
        lines: list[tuple[str, str]] = []
        for line in difflib.unified_diff(_text(a), _text(b), lineterm="", n=2):
            if line.startswith(("---", "+++")):
                continue
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
            lines.append((kind, line))
        out.append(FieldDiff(name, label, lines))
    return out

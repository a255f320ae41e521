"""Which framework programme and funding body a CORDIS project belongs to, and lineages.

Derived from what every layout carries: the call identifier (masterCall, e.g.
``HORIZON-JU-IHI-2023-04-two-stage``, ``H2020-JTI-IMI2-2019-17-two-stage``), the topic and
the legal-basis codes (``HORIZON.2.1``, ``H2020-EU.3.1.7.``, ``FP7-JTI``); the official
downloads also say frameworkProgramme (FP7, H2020, HORIZON), which wins when present.

A programme's *lineage* is a list of prefixes; a project belongs to it when its call, its
topic or one of its legal-basis codes starts with one of them (case ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FRAMEWORKS = ("FP7", "H2020", "HORIZON")
FRAMEWORK_LABELS = {"FP7": "FP7", "H2020": "Horizon 2020", "HORIZON": "Horizon Europe"}
# IHI follows IMI2 (Horizon 2020) and IMI1 (FP7). IMI1 projects sit under the legal basis
# FP7-JTI that all FP7 joint technology initiatives share, so the call identifier ("IMI...")
# is what tells them apart; IMI2 also has its own programme part, H2020-EU.3.1.7.
DEFAULT_LINEAGES = {
    "IHI": ("HORIZON-JU-IHI", "H2020-JTI-IMI2", "H2020-EU.3.1.7", "IMI"),
    "IMI2": ("H2020-JTI-IMI2", "H2020-EU.3.1.7", "IMI"),
}
MAX_PREFIXES = 50
MAX_PREFIX_LENGTH = 60

_JU_CALL = (
    re.compile(r"HORIZON-JU-([A-Za-z0-9]+)-"),  # HORIZON-JU-IHI-2023-04-...
    re.compile(r"HORIZON-([A-Za-z0-9]+)-JU-"),  # HORIZON-KDT-JU-2021-..., HORIZON-EUROHPC-JU-
    re.compile(r"H2020-JTI-([A-Za-z0-9]+)-"),  # H2020-JTI-IMI2-2015-03-01
    re.compile(r"(IMI2?)(?:[-_ ]|$)"),  # IMI2-2020-22-01 (restricted call), IMI1
    re.compile(r"SP1-JTI-([A-Za-z0-9]+)-"),  # FP7's JTIs: SP1-JTI-FCH-2009-1...
)


def framework_for(declared: str, call: str, legal_bases: Iterable[str]) -> str:
    """FP7, H2020 or HORIZON ('' when nothing tells)."""
    value = declared.strip().upper()
    if value in FRAMEWORKS:
        return value
    for text in (call, *legal_bases):
        head = text.strip().upper()
        for framework in ("HORIZON", "H2020", "FP7"):
            if head.startswith(framework):
                return framework
    if call.upper().startswith(("IMI", "SP1-JTI", "ERC-", "FP7")):
        return "FP7"
    return ""


def funding_body_for(framework: str, call: str) -> str:
    """The joint undertaking that ran the call ("IHI JU", "IMI2 JU"...), else the Commission.

    IMI1 (FP7) calls read "IMI JU"; ERC calls "ERC".
    """
    text = call.strip()
    for pattern in _JU_CALL:
        match = pattern.match(text)
        if match:
            name = match.group(1).upper()
            if name == "IMI" and framework != "FP7":
                continue
            return f"{name} JU"
    if text.upper().startswith(("ERC-", "HORIZON-ERC", "H2020-ERC")):
        return "ERC"
    return "European Commission" if text or framework else ""


def parse_lineage(text: str) -> list[str]:
    """The prefixes of a lineage typed one per line (or comma-separated), cleaned, unique."""
    seen: dict[str, str] = {}
    for item in re.split(r"[\n,;]", text):
        prefix = item.strip().replace("\x00", "")
        if prefix and prefix.upper() not in seen:
            seen[prefix.upper()] = prefix
    return list(seen.values())


def in_lineage(prefixes: Iterable[str], call: str, topic: str, legal_bases: Iterable[str]) -> bool:
    """True if the call, the topic or a legal-basis code starts with one of the prefixes."""
    wanted = tuple(p.upper() for p in prefixes if p)
    if not wanted:
        return False
    return any(v.upper().startswith(wanted) for v in (call, topic, *legal_bases) if v)


_CALL_ORDER = re.compile(r"[-_]((?:19|20)\d\d)(?:[-_](\d{1,3})(?=[-_A-Za-z]|$))?")


def call_order(call: str) -> tuple[int, int] | None:
    """(year, call number) of a call identifier, None when it has no year:
    ``HORIZON-JU-IHI-2023-04-two-stage`` -> (2023, 4), ``HORIZON-JU-CBE-2024`` -> (2024, 0),
    ``HORIZON-JU-Chips-2024-1-IA`` -> (2024, 1). A call is strictly earlier than another
    when its order is smaller; equal orders are the same call."""
    match = _CALL_ORDER.search(call or "")
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def earlier_call(call: str, than: str) -> bool:
    """True if `call` comes strictly before `than` (both with a year); else False."""
    a, b = call_order(call), call_order(than)
    return a is not None and b is not None and a < b

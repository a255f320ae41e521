"""The match-request parameters, declared once: type, bounds, default, label and help.

The web form, the JSON API and ``partnering suggest`` read this declaration for their
fields, documentation and limits, and hand their input to ``validate``: one function
returns normalised values or raises ``InvalidInput`` with the errors keyed by field name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.sectors import SECTOR_GROUPS
from models import Organisation, Topic
from models.base import ID_MAX
from services.consortia.interest import interested_ids
from services.core.errors import InvalidInput
from services.organisations.cordis.programmes import parse_lineage

Kind = Literal["whole", "share", "choice", "seats", "organisations"]
REQUIRED = "This field is required."


@dataclass(frozen=True)
class Param:
    """One parameter. ``lo``/``hi`` bound a number, a seat count or an organisation id."""

    name: str
    kind: Kind
    label: str
    lo: int = 0
    hi: int = 0
    default: Any = None
    nullable: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label shown in the form)
    max_items: int = 0
    help: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    def check(self, value: Any) -> tuple[Any, list[str]]:
        """The normalised value and the errors of one field (empty when valid)."""
        if self.kind == "whole":
            return _whole(value, self.lo, self.hi, self.nullable)
        if self.kind == "share":
            return _share(value, self.lo, self.hi)
        if self.kind == "choice":
            if value in self.values:
                return value, []
            return value, [f"Choose {', '.join(self.values[:-1])} or {self.values[-1]}."]
        if self.kind == "seats":
            return _seats(value, self.lo, self.hi)
        return _organisations(value, self.lo, self.hi, self.max_items)

    def seat_errors(self, sector: str, value: Any) -> list[str]:
        """The errors of one sector's seat count (the form shows them beside that seat)."""
        return self.check({sector: value})[1]


def _whole(value: Any, lo: int, hi: int, nullable: bool) -> tuple[int | None, list[str]]:
    if value is None or value == "":
        return None, [] if nullable else [f"Enter a whole number between {lo} and {hi}."]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return None, [f"Enter a whole number between {lo} and {hi}."]
    return value, []


def _share(value: Any, lo: int, hi: int) -> tuple[float, list[str]]:
    message = [f"Enter a share between {lo} and {hi} (e.g. 0.2)."]
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return 0.0, message
    share = float(value)
    if not math.isfinite(share) or not lo <= share <= hi:
        return 0.0, message
    return round(share, 4), []


def _seats(value: Any, lo: int, hi: int) -> tuple[dict[str, int], list[str]]:
    if not isinstance(value, Mapping):
        return {}, ["Give seat counts per sector."]
    clean: dict[str, int] = {}
    errors: list[str] = []
    for sector, count in value.items():
        if sector not in SECTOR_GROUPS:
            errors.append(f"Unknown sector {sector!r}; use one of {', '.join(SECTOR_GROUPS)}.")
            continue
        number, problems = _whole(0 if count is None else count, lo, hi, nullable=False)
        errors.extend(f"Seats for {sector}: {p[0].lower()}{p[1:]}" for p in problems)
        if number:
            clean[sector] = number
    return dict(sorted(clean.items())), errors


def _organisations(value: Any, lo: int, hi: int, max_items: int) -> tuple[list[int], list[str]]:
    if value is None:
        return [], []
    if not isinstance(value, list | tuple):
        return [], ["Give a list of organisation ids."]
    if len(value) > max_items:
        return [], [f"Give at most {max_items} organisation ids."]
    ids = [_whole(v, lo, hi, nullable=False)[0] for v in value]
    given = [i for i in ids if i is not None]
    if len(given) < len(ids):
        return [], ["Give organisation ids."]
    return sorted(set(given)), []


MAX_SIZE = 200
SECTOR_MODES = (("hard", "Required"), ("soft", "Preferred (penalty)"))
INDUSTRY_MODES = (
    ("exclude", "Exclude (stage-1 applicant consortium)"),
    ("include", "Include as required members"),
    ("ignore", "Treat like anyone else"),
)
DEFAULT_ALTERNATES = 30
INTEREST_MODES = (
    ("mark", "Mark them in the explanation"),
    ("prefer", "Prefer them (a score bonus)"),
    ("ignore", "Ignore"),
)

SIZE = Param("size", "whole", "Consortium size", lo=1, hi=MAX_SIZE)
SECTOR_COUNTS = Param(
    "sector_counts", "seats", "Seats per sector", lo=0, hi=MAX_SIZE, help="Seats per sector"
)
SECTOR_MODE = Param("sector_mode", "choice", "Sector targets", default="hard", choices=SECTOR_MODES)
MIN_COUNTRIES = Param("min_countries", "whole", "Minimum countries", lo=0, hi=50)
MAX_PER_COUNTRY = Param(
    "max_per_country", "whole", "Maximum members per country", lo=1, hi=MAX_SIZE, nullable=True
)
MIN_SME_SHARE = Param("min_sme_share", "share", "Minimum SME share (0-1)", lo=0, hi=1)
CAPACITY = Param(
    "capacity",
    "whole",
    "Capacity (leave out organisations already in this many consortia)",
    lo=1,
    hi=100,
    nullable=True,
    help="Leave out organisations already in this many consortia",
)
INDUSTRY_PARTNERS = Param(
    "industry_partners", "choice", "The topic's industry partners", choices=INDUSTRY_MODES
)
ALTERNATES = Param(
    "alternates", "whole", "Ranked alternates to keep", lo=0, hi=500, default=DEFAULT_ALTERNATES
)
INTEREST = Param(
    "interest",
    "choice",
    "Organisations that expressed interest in the topic",
    default="mark",
    choices=INTEREST_MODES,
    help="mark: named in the explanation; prefer: also a score bonus; ignore",
)
INTEREST_BONUS = Param(
    "interest_bonus",
    "share",
    "Bonus when preferred (share of the best candidate's score, 0-1)",
    lo=0,
    hi=1,
    default=0.1,
    help="Added to an interested organisation's score when interest is 'prefer'",
)
ASSOCIATED_PARTNER_MODES = (
    ("no_seats", "Leave them out of the seats"),
    ("seats", "Let them take seats (labelled)"),
)
ASSOCIATED_PARTNERS = Param(
    "associated_partners",
    "choice",
    "Organisations that are associated partners only in CORDIS (never funded members)",
    default="no_seats",
    choices=ASSOCIATED_PARTNER_MODES,
    help="no_seats: they never take a seat; seats: they may, and their explanation says so",
)
MUST_INCLUDE = Param(
    "must_include",
    "organisations",
    "Required organisations",
    lo=1,
    hi=ID_MAX,
    default=(),
    max_items=200,
)
EXCLUDE = Param(
    "exclude",
    "organisations",
    "Excluded organisations",
    lo=1,
    hi=ID_MAX,
    default=(),
    max_items=1000,
)
PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        SIZE,
        SECTOR_COUNTS,
        SECTOR_MODE,
        MIN_COUNTRIES,
        MAX_PER_COUNTRY,
        MIN_SME_SHARE,
        CAPACITY,
        INDUSTRY_PARTNERS,
        ALTERNATES,
        INTEREST,
        INTEREST_BONUS,
        ASSOCIATED_PARTNERS,
        MUST_INCLUDE,
        EXCLUDE,
    )
}


def check(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], names: Iterable[str] = PARAMS
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values of ``names`` and the errors by field name; absent fields take ``defaults``
    (a field with no default is required). Keys of ``raw`` that are not parameters are
    ignored: each door refuses them its own way."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        param = PARAMS[name]
        if name in raw:
            value, problems = param.check(raw[name])
        elif name in defaults:  # normalised alike; a topic's odd default is kept as it is
            value, problems = param.check(defaults[name])
            value = defaults[name] if problems else value
            problems = []
        else:
            value, problems = None, [REQUIRED]
        out[name] = list(value) if param.kind == "organisations" else value
        if problems:
            errors[name] = problems
    seats = sum((out.get("sector_counts") or {}).values())
    if isinstance(out.get("size"), int) and seats > out["size"] and "sector_counts" not in errors:
        errors["sector_counts"] = [
            f"The sector seats add up to {seats}, more than the size {out['size']}."
        ]
    clash = set(out.get("must_include") or ()) & set(out.get("exclude") or ())
    if clash and "exclude" not in errors:
        errors["exclude"] = [f"Organisation(s) {sorted(clash)} are both required and excluded."]
    return out, errors


def validate(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], names: Iterable[str] = PARAMS
) -> dict[str, Any]:
    """``check``, raising InvalidInput with the errors by field name if there are any."""
    out, errors = check(raw, defaults, names)
    if errors:
        raise InvalidInput("Please correct the parameters.", errors)
    return out


def default_params(topic: Topic) -> dict[str, Any]:
    """Parameters pre-filled from the topic's desired consortium profile."""
    lo, hi = topic.consortium_size_min, topic.consortium_size_max
    targets = {k: int(v) for k, v in (topic.sector_targets or {}).items() if k in SECTOR_GROUPS}
    programme = topic.programme
    floor = max(programme.min_consortium_size if programme else 3, sum(targets.values()), 3)
    size = math.ceil((lo + hi) / 2) if lo and hi else hi or lo or max(floor, 8)
    two_stage = topic.call is not None and topic.call.call_type == "two_stage"
    defaults = {p.name: p.default for p in PARAMS.values()}
    return {
        **defaults,
        "must_include": [],
        "exclude": [],
        "size": max(size, sum(targets.values())),
        "sector_counts": targets,
        "min_countries": topic.min_countries or (programme.min_countries if programme else 3),
        "min_sme_share": float(topic.sme_share or 0),
        # Stage-1 applicants may not team up with the topic's industry consortium.
        "industry_partners": "exclude" if two_stage else "ignore",
    }


def normalise_params(session: Session, topic: Topic, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a match request: ``raw`` checked and completed from the topic's
    defaults, its organisations known to the database. Unless interest is ignored,
    ``interested`` holds the organisations that expressed interest in the topic now (part
    of the inputs: a new expression of interest gives a new suggestion)."""
    out, errors = check(raw, default_params(topic))
    for name in ("must_include", "exclude"):
        ids = [] if name in errors else out[name]
        found = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            errors[name] = [f"Unknown organisation(s): {missing}."]
    if errors:
        raise InvalidInput("Please correct the parameters.", errors)
    ignored = out["interest"] == "ignore"
    return {
        **out,
        "interested": [] if ignored else interested_ids(session, topic.id),
        **topic_programme(topic),
    }


def topic_programme(topic: Topic) -> dict[str, Any]:
    """The topic's programme lineage and call identifier: its history's inputs."""
    wanted = parse_lineage(topic.programme.lineage) if topic.programme else []
    return {"programme": wanted, "call": topic.call.identifier if topic.call else ""}

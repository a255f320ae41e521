"""Plain dataclasses going in and out of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


class SpecError(ValueError):
    """A malformed request (programming or form error), as opposed to an infeasible one."""


@dataclass
class ProjectDoc:
    id: str
    title: str
    text: str
    keywords: list[str] = field(default_factory=list)
    topic: str = ""
    call: str = ""
    start_year: int | None = None


@dataclass
class Candidate:
    id: int
    name: str
    sector: str
    country: str
    is_sme: bool
    pic: str | None = None
    eu_member: bool = True
    eligible_country: bool = True
    active_consortia: int = 0
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    # Appears in CORDIS only as an associated partner (never a funded member).
    associated_only: bool = False


@dataclass
class HistoryRecord:
    """A candidate's part in the programme's strictly earlier calls."""

    candidate_id: int
    projects: int  # earlier lineage projects and accepted consortia of the programme
    coordinated: int = 0
    latest_year: int | None = None


@dataclass
class ProgrammeHistory:
    """What a topic may learn from its programme: the calls strictly before its own.

    project_ids are the earlier lineage projects (their texts weigh in when in the index);
    hidden_project_ids are lineage projects of the topic's own call and later ones, which
    the scoring never sees.
    """

    records: list[HistoryRecord] = field(default_factory=list)
    project_ids: list[str] = field(default_factory=list)
    hidden_project_ids: list[str] = field(default_factory=list)


@dataclass
class TopicQuery:
    title: str
    text: str
    keywords: list[str] = field(default_factory=list)
    history: ProgrammeHistory | None = None

    def full_text(self) -> str:
        return " ".join([self.title, self.text, " ".join(self.keywords)])


@dataclass
class ConsortiumSpec:
    """What the consortium must look like.

    sector_counts maps a sector or CORDIS code (see matching.sectors.SECTOR_GROUPS) to the
    minimum number of seats of that group; keys must denote disjoint groups. Seats not
    covered by sector_counts are open to any sector. In "soft" mode a missing seat costs
    sector_penalty in the objective instead of making the spec infeasible.
    """

    size: int
    sector_counts: dict[str, int] = field(default_factory=dict)
    sector_mode: Literal["hard", "soft"] = "hard"
    sector_penalty: float = 1.0
    min_countries: int = 3
    require_eu_member: bool = True
    max_per_country: int | None = None
    min_sme_share: float = 0.0
    capacity: int | None = None
    must_include: list[int] = field(default_factory=list)
    exclude: list[int] = field(default_factory=list)
    alternates: int = 100
    alternates_per_seat: int = 3
    seed: int = 0
    time_limit_s: float = 5.0
    # Candidates that expressed interest in the topic. "mark" names it in their reasons;
    # "prefer" also adds interest_bonus x the best candidate's score to their score.
    interested: list[int] = field(default_factory=list)
    interest_mode: Literal["ignore", "mark", "prefer"] = "ignore"
    interest_bonus: float = 0.0
    # Whether candidates that are associated partners only in CORDIS may take seats.
    associated_partners: Literal["seats", "no_seats"] = "seats"


@dataclass
class MemberExplanation:
    candidate_id: int
    score: float
    top_projects: list[tuple[str, str, float]] = field(default_factory=list)
    top_terms: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class Member:
    candidate_id: int
    score: float
    fit: float
    sector: str
    country: str
    reasons: list[str] = field(default_factory=list)
    top_projects: list[tuple[str, str, float]] = field(default_factory=list)
    top_terms: list[str] = field(default_factory=list)
    constraint: str = ""
    alternates: list[tuple[int, float]] = field(default_factory=list)


@dataclass
class Suggestion:
    members: list[Member]
    alternates: list[tuple[int, float]]
    objective: float
    solver: Literal["exact", "heuristic"]
    solve_ms: float
    feasible: bool
    problems: list[str] = field(default_factory=list)
    sector_shortfall: dict[str, int] = field(default_factory=dict)


@dataclass
class CallAssignment:
    suggestions: list[Suggestion]
    objective: float
    independent_objective: float
    independent_overbooked: int
    solver: Literal["exact", "heuristic"]
    solve_ms: float
    feasible: bool
    problems: list[str] = field(default_factory=list)

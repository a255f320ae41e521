"""Typed rows, row errors and exceptions produced by the CORDIS reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Roles some downloads give ordinary members (read as "participant").
OTHER_PARTICIPANT_ROLES = ("partner", "beneficiary", "hostInstitution", "internationalPartner")


class CordisFileError(ValueError):
    """A CORDIS file cannot be read any further (corrupt or truncated archive)."""


class NotCordisFile(CordisFileError):
    """The file is not CORDIS data: raised before any row is yielded."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A record that could not be read; `line` is where the record starts (1 = header)."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """One project from CORDIS project.csv."""

    line: int
    project_id: str
    acronym: str
    title: str
    status: str
    start_date: date | None
    end_date: date | None
    total_cost: Decimal | None
    eu_contribution: Decimal | None
    call: str
    topic: str
    topic_title: str
    funding_scheme: str
    keywords: list[str] = field(default_factory=list)
    euroscivoc: list[str] = field(default_factory=list)
    objective: str = ""
    # Every legal-basis code (programme part) of the project, the main one first.
    legal_basis: list[str] = field(default_factory=list)
    # frameworkProgramme as the official downloads give it (FP7, H2020, HORIZON), or "".
    framework: str = ""


@dataclass(frozen=True, slots=True)
class ParticipationRow:
    """One organisation's participation in a project, from CORDIS organization.csv.

    `country` is an ISO 3166-1 alpha-2 code, or None when CORDIS leaves it empty.
    """

    line: int
    project_id: str
    pic: str
    name: str
    short_name: str
    is_sme: bool
    activity_type: str
    country: str | None
    city: str
    role: str
    order: int | None
    eu_contribution: Decimal | None
    net_eu_contribution: Decimal | None
    total_cost: Decimal | None
    terminated: bool

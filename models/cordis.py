"""CORDIS projects (stored once per project), participations and import runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, one_of, utcnow
from models.jobs import Leased
from models.organisations import Organisation

# thirdParty rows are never stored: they are left out of membership on import.
PARTICIPATION_ROLES = ("coordinator", "participant", "associatedPartner")
ROLE_LABELS = {
    "coordinator": "Coordinator",
    "participant": "Participant",
    "associatedPartner": "Associated partner",
}
IMPORT_STATES = ("queued", "running", "done", "failed", "cancelled")
# The project texts searched on PostgreSQL (a GIN full-text index; other databases scan).
PROJECT_TSV = (
    "to_tsvector('english'::regconfig, (((((COALESCE(title, ''::text) || ' '::text) "
    "|| COALESCE(keywords, ''::text)) || ' '::text) || COALESCE(euroscivoc, ''::text)) "
    "|| ' '::text) || COALESCE(objective, ''::text))"
)


class CordisProject(Base):
    """A project as CORDIS publishes it; its texts are the expertise of its participants."""

    __tablename__ = "cordis_projects"
    __table_args__ = (
        Index("ix_cordis_projects_fts", text(PROJECT_TSV), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    # The CORDIS projectID (e.g. "101069359"): an update in place finds the row by it.
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    acronym: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    euroscivoc: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="")
    call: Mapped[str] = mapped_column(String(120), default="", index=True)
    topic: Mapped[str] = mapped_column(String(200), default="", index=True)
    topic_title: Mapped[str] = mapped_column(Text, default="")
    funding_scheme: Mapped[str] = mapped_column(String(120), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    total_cost: Mapped[Money | None]
    eu_contribution: Mapped[Money | None]
    # FP7, H2020 or HORIZON; the joint undertaking that ran the call ("IHI JU"...); every
    # legal-basis code, "; "-separated, the main one first (what lineages match on).
    framework_programme: Mapped[str] = mapped_column(String(10), default="", index=True)
    funding_body: Mapped[str] = mapped_column(String(40), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Participation(Base):
    """An organisation's part in a CORDIS project (coordinator, participant or associated)."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("project_id", "organisation_id", "role"),
        one_of("role", PARTICIPATION_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("cordis_projects.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int | None]
    eu_contribution: Mapped[Money | None]
    total_cost: Mapped[Money | None]
    is_associated_partner: Mapped[bool] = mapped_column(default=False)
    terminated: Mapped[bool] = mapped_column(default=False)
    # CORDIS activityType of this row (HES, REC, PRC, PUB, OTH or "" when CORDIS gave
    # none); NULL for rows imported before it was kept. The organisation's sector is the
    # most frequent one (services.organisations.cordis.sectors).
    activity_type: Mapped[str | None] = mapped_column(String(3))

    project: Mapped[CordisProject] = relationship()
    organisation: Mapped[Organisation] = relationship()


class ImportRun(Leased, Base):
    """One CORDIS import (CLI or web): its files, progress, counts and status."""

    __tablename__ = "import_runs"
    __table_args__ = (one_of("status", IMPORT_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    projects_file: Mapped[str] = mapped_column(String(500))
    organisations_file: Mapped[str] = mapped_column(String(500))
    # Names as the user gave them (uploads are stored under generated names).
    projects_name: Mapped[str] = mapped_column(String(300), default="")
    organisations_name: Mapped[str] = mapped_column(String(300), default="")
    phase: Mapped[str] = mapped_column(String(30), default="")
    progress: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issue_count: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")


class ImportIssue(Base):
    """A row an import skipped: the file, the line where the record starts, and why."""

    __tablename__ = "import_issues"
    __table_args__ = (Index("ix_import_issues_run_line", "run_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(300))
    line: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)

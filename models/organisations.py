"""Organisations: applicants and partners, with sector labels of our own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, event, false, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.names import name_key, normalise

# Same strings as matching.sectors; CORDIS activityType codes map onto them on import.
SECTORS = ("academia", "research", "industry", "sme", "patient", "public", "other")
SECTOR_LABELS = {
    "academia": "Academia",
    "research": "Research organisation",
    "industry": "Large industry",
    "sme": "SME",
    "patient": "Patient organisation",
    "public": "Public body",
    "other": "Other",
}
PARTNER_TYPES = ("associated", "contributing")


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        one_of("sector", SECTORS),
        one_of("partner_type", PARTNER_TYPES),
        # A trigram index on PostgreSQL (fuzzy name search); a plain index elsewhere.
        Index(
            "ix_organisations_search_name_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        Index("ix_organisations_country_name_key", "country", "name_key"),
        # The few members among ~30,000 organisations (the programme sums look them up).
        Index(
            "ix_organisations_efpia_members",
            "id",
            postgresql_where=text("is_efpia_member"),
            sqlite_where=text("is_efpia_member"),
        ),
        # The few that may sit in a topic's pre-defined industry consortium, by name (the
        # topic form's list): a partial index, not a scan of the whole CORDIS registry.
        Index(
            "ix_organisations_industry_partners",
            "legal_name",
            postgresql_where=text("is_efpia_member IS true OR partner_type IS NOT NULL"),
            sqlite_where=text("is_efpia_member IS 1 OR partner_type IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(300), index=True)
    short_name: Mapped[str | None] = mapped_column(String(120))
    # Participant Identification Code; unique when present (NULLs do not collide).
    pic: Mapped[str | None] = mapped_column(String(20), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    # Set when someone changed the sector by hand: a CORDIS import then leaves it alone
    # (otherwise an import sets it from the organisation's most frequent activity type).
    sector_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    is_efpia_member: Mapped[bool] = mapped_column(Boolean, default=False)
    partner_type: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    # Lower-case, unaccented legal and short name (services.names.normalise), for search.
    search_name: Mapped[str] = mapped_column(Text, default="")
    # The name without legal forms and word order (services.names.name_key): duplicates.
    name_key: Mapped[str] = mapped_column(String(300), default="")
    # Set when an admin merged this organisation into another; it then leaves lists.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        return self.short_name or self.legal_name

    def refresh_names(self) -> None:
        """Recompute the search columns from the legal and short name."""
        self.search_name = normalise(self.legal_name, self.short_name)
        self.name_key = name_key(self.legal_name)


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _names_follow(_mapper: object, _conn: object, org: Organisation) -> None:
    # Any ORM write keeps the search columns true; bulk imports compute them themselves.
    org.refresh_names()


class NameWord(Base):
    """Every word of an organisation name, with its reverse: typo-tolerant search on SQLite.

    A word within one edit of the query word shares its first or its last half with it;
    both halves are found by index (prefix of `word` or of `reversed`).
    """

    __tablename__ = "organisation_name_words"
    __table_args__ = (
        # LIKE 'prefix%' through an index whatever the database collation (PostgreSQL).
        Index("ix_organisation_name_words_word_pattern", "word",
              postgresql_ops={"word": "varchar_pattern_ops"}),
        Index("ix_organisation_name_words_reversed_pattern", "reversed",
              postgresql_ops={"reversed": "varchar_pattern_ops"}),
    )  # fmt: skip

    word: Mapped[str] = mapped_column(String(80), primary_key=True)
    reversed: Mapped[str] = mapped_column(String(80))

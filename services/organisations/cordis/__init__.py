"""Reading CORDIS open data (Horizon Europe projects and participations), no database."""

from services.organisations.cordis.reader import (
    CordisReader,
    ReadProgress,
    read_participations,
    read_projects,
)
from services.organisations.cordis.rows import (
    CordisFileError,
    NotCordisFile,
    ParticipationRow,
    ProjectRow,
    RowError,
)
from services.organisations.cordis.sectors import sector_for

__all__ = [
    "CordisFileError",
    "CordisReader",
    "NotCordisFile",
    "ParticipationRow",
    "ProjectRow",
    "ReadProgress",
    "RowError",
    "read_participations",
    "read_projects",
    "sector_for",
]

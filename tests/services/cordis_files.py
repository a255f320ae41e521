"""Small CORDIS slices written by the tests (valid and malformed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, project, to_csv, write_bytes

P1, P2 = "101000001", "101000002"


def projects(**overrides: dict[str, str]) -> list[dict[str, str]]:
    """Two projects; ``overrides`` maps a project id to changed columns."""
    rows = [
        project(projectID=P1, acronym="AMR-NET", title="Antimicrobial resistance network",
                objective="New antibiotics against resistant bacteria.",
                keywords="antibiotics, resistance", euroSciVoc="microbiology"),
        project(projectID=P2, acronym="NEURO", title="Neurodegeneration biomarkers",
                objective="Blood biomarkers for early Alzheimer's disease.",
                keywords="biomarkers", euroSciVoc="neurology", startDate="2023-01-01"),
    ]  # fmt: skip
    for row in rows:
        row.update(overrides.get(row["projectID"], {}))
    return rows


def participations() -> list[dict[str, str]]:
    """Coordinator, participants, an associated partner and a third party."""
    return [
        org(projectID=P1, organisationID="999000001", name="KAROLINSKA INSTITUTET",
            shortName="KI", SME="false", activityType="HES", country="SE", city="Stockholm",
            role="coordinator", order="1", ecContribution="1000000.50"),
        org(projectID=P1, organisationID="999000002", name="UNIVERSITÉ PARIS-SACLAY",
            shortName="", SME="false", activityType="HES", country="FR", city="Gif",
            role="participant", order="2", ecContribution="500000"),
        org(projectID=P1, organisationID="999000003", name="BIOTECH STARTUP GMBH",
            shortName="BTS", SME="true", activityType="PRC", country="DE", city="Berlin",
            role="associatedPartner", order="3", ecContribution="", totalCost="0"),
        org(projectID=P1, organisationID="999000004", name="THIRD PARTY LAB",
            SME="false", activityType="REC", country="IT", role="thirdParty", order="4"),
        org(projectID=P2, organisationID="999000001", name="KAROLINSKA INSTITUTET",
            shortName="KI", SME="false", activityType="HES", country="SE", city="Stockholm",
            role="participant", order="2", ecContribution="250000"),
        org(projectID=P2, organisationID="999000005", name="BIG PHARMA AG",
            SME="false", activityType="PRC", country="CH", city="Basel",
            role="coordinator", order="1", ecContribution="0"),
    ]  # fmt: skip


def write(
    folder: Path,
    project_rows: Sequence[dict[str, str]] | None = None,
    org_rows: Sequence[dict[str, str]] | None = None,
    compress: str = "",
) -> tuple[Path, Path]:
    """Write projects and organisations files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    p = to_csv(PROJECT_HEADER, projects() if project_rows is None else project_rows)
    o = to_csv(ORG_HEADER, participations() if org_rows is None else org_rows)
    return (
        write_bytes(folder / "project.csv", p.encode(), compress, "project.csv"),
        write_bytes(folder / "organization.csv", o.encode(), compress, "organization.csv"),
    )

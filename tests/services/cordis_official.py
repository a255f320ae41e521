"""Small downloads in the layouts of the official CORDIS bulk files, written by the tests.

Columns as public code that reads the real files shows them (see the README, "CORDIS
downloads"): project.csv keyed by ``id`` (the Horizon 2020 file puts keywords, a
"Human-validated" column and legalBasis last; amounts there use a decimal comma),
organization.csv with vatNumber ... endOfParticipation;active, and the side files
topics.csv, euroSciVoc.csv, legalBasis.csv, webItem.csv, webLink.csv.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Sequence
from pathlib import Path

from tests.unit.cordis.slices import to_csv

HE_PROJECT = [
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "legalBasis",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "masterCall",
    "subCall",
    "fundingScheme",
    "nature",
    "objective",
    "contentUpdateDate",
    "rcn",
    "grantDoi",
    "keywords",
]
H2020_PROJECT = [
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "masterCall",
    "subCall",
    "fundingScheme",
    "nature",
    "objective",
    "contentUpdateDate",
    "rcn",
    "grantDoi",
    "keywords",
    "Human-validated",
    "legalBasis",
]
FP7_PROJECT = [c for c in HE_PROJECT if c != "keywords"]
ORGANIZATION = [
    "projectID",
    "projectAcronym",
    "organisationID",
    "vatNumber",
    "name",
    "shortName",
    "SME",
    "activityType",
    "street",
    "postCode",
    "city",
    "country",
    "nutsCode",
    "geolocation",
    "organizationURL",
    "contactForm",
    "contentUpdateDate",
    "rcn",
    "order",
    "role",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "endOfParticipation",
    "active",
]
TOPICS = ["projectID", "topic", "title"]
EUROSCIVOC = [
    "projectID", "euroSciVocCode", "euroSciVocPath", "euroSciVocTitle", "euroSciVocDescription"
]  # fmt: skip
LEGAL_BASIS = ["projectID", "legalBasis", "title", "uniqueProgrammePart"]
WEB_LINK = ["id", "projectID", "physUrl", "availableLanguages", "status", "type", "source"]

KI, PARIS, STARTUP, PHARMA, PATIENTS = (
    "999000001", "999000002", "999000003", "999000005", "999000006"
)  # fmt: skip


def project_row(pid: str, acronym: str, call: str, topic: str, legal: str, framework: str,
             start: str, scheme: str, cost: str) -> dict[str, str]:  # fmt: skip
    return {
        "id": pid, "acronym": acronym, "status": "CLOSED", "title": f"{acronym} project",
        "startDate": start, "endDate": "2030-01-31", "totalCost": cost,
        "ecMaxContribution": cost, "legalBasis": legal, "topics": topic,
        "ecSignatureDate": start, "frameworkProgramme": framework, "masterCall": call,
        "subCall": call, "fundingScheme": scheme, "nature": "",
        "objective": f"Objective of {acronym}: biomarkers for disease.",
        "contentUpdateDate": "2025-01-01 10:00:00", "rcn": "1", "grantDoi": "10.3030/" + pid,
        "keywords": "biomarkers, disease", "Human-validated": "",
    }  # fmt: skip


def org_row(pid: str, pic: str, name: str, activity: str, country: str, role: str, order: str,
         amount: str, sme: str = "false") -> dict[str, str]:  # fmt: skip
    return {
        "projectID": pid, "projectAcronym": "", "organisationID": pic, "vatNumber": "X1",
        "name": name, "shortName": "", "SME": sme, "activityType": activity, "street": "",
        "postCode": "", "city": "Town", "country": country, "nutsCode": country + "1",
        "geolocation": "59.3,18.0", "organizationURL": "", "contactForm": "",
        "contentUpdateDate": "2025-01-01", "rcn": "2", "order": order, "role": role,
        "ecContribution": amount, "netEcContribution": amount, "totalCost": amount,
        "endOfParticipation": "false", "active": "",
    }  # fmt: skip


def members(kind: str) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """The CSV members (header, rows) of a small official download: he, h2020 or fp7."""
    if kind == "he":
        projects = [
            project_row("101112001", "IHI-ONE", "HORIZON-JU-IHI-2022-01-two-stage",
                     "HORIZON-JU-IHI-2022-01-01-two-stage", "HORIZON.2.1", "HORIZON",
                     "2023-03-01", "HORIZON-JU-RIA", "8000000.00"),
            project_row("101112002", "ERC-X", "ERC-2022-STG", "ERC-2022-STG", "HORIZON.1.1",
                     "HORIZON", "2023-01-01", "HORIZON-ERC", "1500000"),
        ]  # fmt: skip
        legal = [["101112001", "HORIZON.2.1", "Health", "true"]]
        header = HE_PROJECT
    elif kind == "h2020":
        projects = [
            project_row("945001", "IMI2-TWO", "H2020-JTI-IMI2-2019-17-two-stage",
                     "IMI2-2019-17-01", "H2020-EU.3.1.7.", "H2020", "2020-01-01",
                     "IMI2-RIA", "12000000,50"),
            project_row("945002", "MSCA-Y", "H2020-MSCA-IF-2019", "MSCA-IF-2019-EF",
                     "H2020-EU.1.3.2.", "H2020", "2020-06-01", "MSCA-IF-EF-ST", "180000,00"),
        ]  # fmt: skip
        legal = [
            ["945001", "H2020-EU.3.1.7.", "Innovative Medicines Initiative 2 (IMI2)", "true"],
            ["945001", "H2020-EU.3.1.", "Health", ""],
        ]
        header = H2020_PROJECT
    else:
        projects = [
            project_row("115001", "IMI-ONE", "IMI-JU-01-2008", "IMI-JU-01-2008-SAFE-01",
                     "FP7-JTI", "FP7", "2009-10-01", "JTI-CP", "20000000,00"),
            project_row("115002", "FCH-Z", "SP1-JTI-FCH-2009-1", "SP1-JTI-FCH-2009.1.1",
                     "FP7-JTI", "FP7", "2010-01-01", "JTI-CP-FCH", "3000000"),
        ]  # fmt: skip
        legal = [["115001", "FP7-JTI", "Joint Technology Initiatives", "true"]]
        header = FP7_PROJECT
    lineage_pid, other_pid = projects[0]["id"], projects[1]["id"]
    orgs = [
        org_row(lineage_pid, KI, "KAROLINSKA INSTITUTET", "HES", "SE", "coordinator", "1",
             "1000000.50"),
        org_row(lineage_pid, PHARMA, "BIG PHARMA AG", "PRC", "CH", "participant", "2", "0"),
        org_row(lineage_pid, PATIENTS, "PATIENTS EUROPE", "OTH", "BE", "participant", "3",
             "100000"),
        org_row(lineage_pid, STARTUP, "BIOTECH STARTUP GMBH", "PRC", "DE", "participant", "4",
             "200000", sme="true"),
        org_row(other_pid, KI, "KAROLINSKA INSTITUTET", "HES", "SE", "participant", "2", "5000"),
        org_row(other_pid, PARIS, "UNIVERSITE PARIS-SACLAY", "HES", "FR", "coordinator", "1",
             "9000"),
    ]  # fmt: skip
    topics = [
        {"projectID": p["id"], "topic": p["topics"], "title": f"Topic of {p['acronym']}"}
        for p in projects
    ]
    vocab = [
        {"projectID": lineage_pid, "euroSciVocCode": "/1/2", "euroSciVocPath": "/medical/x",
         "euroSciVocTitle": "pharmacology", "euroSciVocDescription": ""},
        {"projectID": lineage_pid, "euroSciVocCode": "/1/3", "euroSciVocPath": "/medical/y",
         "euroSciVocTitle": "immunology", "euroSciVocDescription": ""},
    ]  # fmt: skip
    return {
        "project.csv": (header, projects),
        "organization.csv": (ORGANIZATION, orgs),
        "topics.csv": (TOPICS, topics),
        "euroSciVoc.csv": (EUROSCIVOC, vocab),
        "legalBasis.csv": (LEGAL_BASIS, [dict(zip(LEGAL_BASIS, r, strict=True)) for r in legal]),
        "webLink.csv": (WEB_LINK, [{"id": "1", "projectID": lineage_pid, "physUrl": "x"}]),
    }


def write_zip(folder: Path, kind: str, *, edit: dict[str, Sequence[dict[str, str]]] | None = None
              ) -> Path:  # fmt: skip
    """cordis-<kind>projects-csv.zip holding every member (``edit`` replaces rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = {"he": "HORIZON", "h2020": "h2020", "fp7": "fp7"}[kind]
    path = folder / f"cordis-{name}projects-csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, (header, rows) in members(kind).items():
            rows = list((edit or {}).get(member, rows))
            archive.writestr(member, to_csv(header, rows))
    return path


def write_loose(folder: Path, kind: str, *, gz: bool = False) -> Path:
    """The members as loose files of one folder (plain or .gz); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for member, (header, rows) in members(kind).items():
        data = to_csv(header, rows).encode()
        if gz:
            (folder / f"{member}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / member).write_bytes(data)
    return folder

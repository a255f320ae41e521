"""Helpers that write small CORDIS-format files into tmp_path."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

PROJECT_HEADER = [
    "projectID",
    "acronym",
    "title",
    "status",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "masterCall",
    "subCall",
    "topic",
    "topicTitle",
    "legalBasis",
    "fundingScheme",
    "keywords",
    "euroSciVoc",
    "objective",
    "rcn",
]
ORG_HEADER = [
    "projectID",
    "projectAcronym",
    "organisationID",
    "name",
    "shortName",
    "SME",
    "activityType",
    "country",
    "city",
    "role",
    "order",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "terminated",
]


def project(**values: str) -> dict[str, str]:
    """A valid project record as a dict of CORDIS column -> text."""
    record = {
        "projectID": "101069359",
        "acronym": "SolDAC",
        "title": "Full spectrum SOLar Direct Air Capture",
        "status": "SIGNED",
        "startDate": "2022-09-01",
        "endDate": "2025-08-31",
        "totalCost": "2073781.25",
        "ecMaxContribution": "2073781.25",
        "masterCall": "HORIZON-CL5-2021-D2-01",
        "subCall": "HORIZON-CL5-2021-D2-01",
        "topic": "HORIZON-CL5-2021-D2-01-11",
        "topicTitle": "Direct atmospheric carbon capture",
        "legalBasis": "HORIZON.2.5",
        "fundingScheme": "HORIZON-RIA",
        "keywords": "zero-carbon, solar energy",
        "euroSciVoc": "electrochemistry;solar thermal",
        "objective": "Ethylene is the chemical industry's primary building block.",
        "rcn": "241234",
    }
    record.update(values)
    return record


def org(**values: str) -> dict[str, str]:
    """A valid participation record as a dict of CORDIS column -> text."""
    record = {
        "projectID": "101069359",
        "projectAcronym": "SolDAC",
        "organisationID": "912743326",
        "name": "LOMARTOV SL",
        "shortName": "LOMARTOV",
        "SME": "true",
        "activityType": "PRC",
        "country": "ES",
        "city": "BURJASSOT",
        "role": "participant",
        "order": "2",
        "ecContribution": "299250",
        "netEcContribution": "299250",
        "totalCost": "299250",
        "terminated": "false",
    }
    record.update(values)
    return record


def to_csv(header: Sequence[str], records: Sequence[dict[str, str]], delimiter: str = ";") -> str:
    """CSV text as CORDIS publishes it (minimal quoting, LF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(column, "") for column in header])
    return out.getvalue()


def write_bytes(path: Path, data: bytes, compress: str = "", member: str = "") -> Path:
    """Write data plainly, gzip-compressed ('gz') or as a zip member ('zip')."""
    if compress == "gz":
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    elif compress == "zip":
        path = path.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(member or "project.csv", data)
    else:
        path.write_bytes(data)
    return path

"""A generated Horizon 2020-sized official download (cordis-h2020projects-csv.zip layout:
35,000 projects, 180,000 participations, topics/euroSciVoc/legalBasis side files) imported
into a throwaway PostgreSQL database, then imported again (it must write 0 rows).

Usage: PYTHONPATH=. python bench/cordis_h2020_generated.py [PROJECTS PARTICIPATIONS]
Target (issue 14): the first import in 120 s or less. BENCH_PG_URL names the server.
"""

from __future__ import annotations

import random
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cordis_import import _one, _print, postgres_database
from tests.services.cordis_official import (
    EUROSCIVOC,
    H2020_PROJECT,
    LEGAL_BASIS,
    ORGANIZATION,
    TOPICS,
)
from tests.unit.cordis.slices import to_csv

WORDS = [
    "biomarker",
    "cohort",
    "vaccine",
    "antimicrobial",
    "resistance",
    "imaging",
    "diabetes",
    "neurodegeneration",
    "immunology",
    "oncology",
    "data",
    "platform",
    "trial",
    "patient",
    "regulatory",
    "safety",
    "toxicology",
    "model",
    "genomics",
    "proteomics",
    "microbiome",
    "inflammation",
    "cardiovascular",
    "digital",
    "health",
    "sensor",
]
ROLES = ("participant",) * 8 + ("coordinator", "thirdParty", "partner", "associatedPartner")
ACTIVITY = ("HES", "HES", "REC", "PRC", "PRC", "PUB", "OTH")
COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "BE", "SE", "UK", "EL", "PL", "PT", "AT", "CH", "NO")


def generate(path: Path, projects: int, participations: int) -> None:
    rng = random.Random(2014)
    pics = [f"{900000000 + i * 7:09d}" for i in range(max(1, participations // 6))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        rows, topics, vocab, legal = [], [], [], []
        for i in range(projects):
            pid = str(640000 + i)
            call = "H2020-JTI-IMI2-2016-10-two-stage" if i % 25 == 0 else f"H2020-SC1-{i % 9}"
            topic = f"{call}-{i % 40:02d}"
            rows.append({
                "id": pid, "acronym": f"P{i}", "status": "CLOSED",
                "title": " ".join(rng.choices(WORDS, k=8)),
                "startDate": f"{2015 + i % 6}-0{1 + i % 9}-01", "endDate": "2024-12-31",
                "totalCost": f"{rng.randint(10**5, 10**7)},{rng.randint(0, 99):02d}",
                "ecMaxContribution": str(rng.randint(10**5, 10**7)),
                "topics": topic, "ecSignatureDate": "2015-01-01", "frameworkProgramme": "H2020",
                "masterCall": call, "subCall": call, "fundingScheme": "RIA",
                "objective": " ".join(rng.choices(WORDS, k=180)),
                "contentUpdateDate": "2022-08-01 12:00:00", "rcn": str(i),
                "grantDoi": f"10.3030/{pid}", "keywords": ", ".join(rng.choices(WORDS, k=4)),
                "legalBasis": "H2020-EU.3.1.7." if i % 25 == 0 else "H2020-EU.3.1.",
            })  # fmt: skip
            topics.append({"projectID": pid, "topic": topic, "title": f"Topic {topic}"})
            for word in rng.sample(WORDS, 3):
                vocab.append({"projectID": pid, "euroSciVocTitle": word, "euroSciVocPath": "/x"})
            legal.append({"projectID": pid, "legalBasis": rows[-1]["legalBasis"],
                          "title": "Health", "uniqueProgrammePart": "true"})  # fmt: skip
        archive.writestr("project.csv", to_csv(H2020_PROJECT, rows))
        archive.writestr("topics.csv", to_csv(TOPICS, topics))
        archive.writestr("euroSciVoc.csv", to_csv(EUROSCIVOC, vocab))
        archive.writestr("legalBasis.csv", to_csv(LEGAL_BASIS, legal))
        del rows, topics, vocab, legal
        orgs = []
        per_project: dict[int, int] = {}
        for n in range(participations):
            p = n % projects
            order = per_project[p] = per_project.get(p, 0) + 1
            pic = pics[(n * 2654435761) % len(pics)]
            h = int(pic) % 1000
            orgs.append({
                "projectID": str(640000 + p), "organisationID": pic, "vatNumber": f"VAT{pic}",
                "name": f"ORGANISATION {pic}", "shortName": f"O{pic[-4:]}",
                "SME": "true" if h % 5 == 0 else "false", "activityType": ACTIVITY[h % 7],
                "city": "City", "country": COUNTRIES[h % len(COUNTRIES)], "nutsCode": "XX1",
                "order": str(order), "role": "coordinator" if order == 1 else ROLES[n % 12],
                "ecContribution": f"{rng.randint(0, 10**6)}.{rng.randint(0, 99):02d}",
                "netEcContribution": "0", "totalCost": str(rng.randint(0, 10**6)),
                "endOfParticipation": "false", "active": "",
            })  # fmt: skip
        archive.writestr("organization.csv", to_csv(ORGANIZATION, orgs))


def main() -> None:
    projects = int(sys.argv[1]) if len(sys.argv) > 2 else 35_000
    participations = int(sys.argv[2]) if len(sys.argv) > 2 else 180_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cordis-h2020projects-csv.zip"
        generate(path, projects, participations)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB, "
              f"{projects:,d} projects, {participations:,d} participations")  # fmt: skip
        with postgres_database() as url:
            _print("PostgreSQL: first import", _one(url, path, path))
            _print("PostgreSQL: re-import", _one(url, path, path))


if __name__ == "__main__":
    main()

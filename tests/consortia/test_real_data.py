"""The real CORDIS files through the importer, the index build and `partnering suggest`.

One test, so that the full import (about a minute) runs once per pass: its counts, the
name search on what it wrote, then the matching index built from it and a suggestion.
"""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select

from models import CordisProject, Organisation, Participation
from services.consortia import expertise_index as matching_index
from services.consortia import suggest
from services.core.context import RequestContext
from services.organisations import cordis_import
from services.organisations import search as orgsearch
from tests.support import SHARED_DATA


@pytest.mark.slow
def test_real_cordis_import_index_and_suggest(db, settings):
    projects = os.path.join(SHARED_DATA, "project.csv.gz")
    organisations = os.path.join(SHARED_DATA, "organization.csv.gz")
    if not (os.path.exists(projects) and os.path.exists(organisations)):
        pytest.skip(f"the CORDIS files are not in {SHARED_DATA}")
    run = cordis_import.create_run(db, RequestContext(None), projects, organisations)
    cordis_import.run_import(db, run.id)
    db.commit()
    c = run.counts
    assert run.status == "done"
    assert c["project_records"] == 19_148 and c["projects_created"] == 19_148
    assert c["participation_records"] == 117_883
    assert c["third_parties_left_out"] == 5_042
    # every other record is a participation or a reported skipped row
    assert c["participations_created"] + c["rows_skipped"] == 117_883 - 5_042
    assert c["rows_skipped"] < 50
    assert db.scalar(select(func.count()).select_from(CordisProject)) == 19_148
    assert (
        db.scalar(select(func.count()).select_from(Participation)) == (c["participations_created"])
    )
    orgs = db.scalar(select(func.count()).select_from(Organisation))
    assert orgs == c["organisations_created"] and 25_000 < orgs < 35_000
    hits = db.scalars(orgsearch.search(db, orgsearch.OrgQuery(name="karolinzka institutet")))
    assert next(iter(hits)).legal_name == "KAROLINSKA INSTITUTET"

    version = matching_index.build_now(db, RequestContext(None), settings.instance_path, "test")
    db.commit()
    assert version.status == "ready" and version.n_projects > 15000
    matching_index.clear_cache()
    index = matching_index.load_index(version, settings.instance_path)  # cold, from disk
    data = suggest.parse(
        json.dumps(
            {
                "title": "Pertussis vaccines",
                "text": "novel pertussis vaccine candidates, adjuvants, correlates of protection",
                "keywords": ["vaccine"],
                "size": 25,
                "sector_counts": {"PRC": 11, "HES": 5, "REC": 4, "OTH": 2, "PUB": 1},
                "min_countries": 8,
            }
        )
    )
    out = suggest.suggest(db, index, data, version.id)
    assert out["feasible"] and len(out["consortium"]) == 25 and len(out["alternates"]) == 100
    assert len({m["country"] for m in out["consortium"]}) >= 8

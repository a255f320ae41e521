"""The real CORDIS files through the importer, the index build and `partnering suggest`."""

from __future__ import annotations

import json
import os

import pytest

from services.consortia import expertise_index as matching_index
from services.consortia import suggest
from services.core.context import RequestContext
from services.organisations import cordis_import
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

"""The real CORDIS Horizon Europe files imported in full (about a minute)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from models import CordisProject, Organisation, Participation
from services.core.context import RequestContext
from services.organisations import search as orgsearch
from services.organisations.cordis_import import create_run, run_import
from tests.support import SHARED_DATA

PROJECTS = os.path.join(SHARED_DATA, "project.csv.gz")
ORGANISATIONS = os.path.join(SHARED_DATA, "organization.csv.gz")


@pytest.mark.slow
@pytest.mark.skipif(
    not (os.path.exists(PROJECTS) and os.path.exists(ORGANISATIONS)),
    reason=f"the CORDIS data is not in {SHARED_DATA}",
)
def test_full_import_of_the_real_files(app, db):
    r = create_run(db, RequestContext(None), PROJECTS, ORGANISATIONS)
    run_import(db, r.id)
    db.commit()
    c = r.counts
    assert r.status == "done"
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

"""A programme's lineage: IHI + IMI2 + IMI1 projects across downloads; organisation
histories, the registry filter, the community by sector/year/country, matching data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry, Organisation, Programme
from services.consortia.expertise_data import iter_lineage_records
from services.core.context import RequestContext
from services.core.errors import InvalidInput, PermissionDenied
from services.core.exports import to_csv, to_xlsx
from services.organisations import cordis_import, lineage
from services.organisations import search as orgsearch
from services.organisations.community import community, community_table
from services.organisations.cordis.programmes import (
    DEFAULT_LINEAGES,
    framework_for,
    funding_body_for,
    in_lineage,
    parse_lineage,
)
from tests.services import cordis_official as official


@pytest.fixture
def registry(app, db, tmp_path):
    """The three official downloads imported one after another; an IHI programme."""
    for kind in ("fp7", "h2020", "he"):
        projects, organisations = cordis_import.resolve_download(
            official.write_zip(tmp_path / kind, kind)
        )
        run = cordis_import.create_run(db, RequestContext(None), projects, organisations)
        cordis_import.run_import(db, run.id)
    pharma = db.scalar(select(Organisation).where(Organisation.pic == official.PHARMA))
    pharma.is_efpia_member = True
    patients = db.scalar(select(Organisation).where(Organisation.pic == official.PATIENTS))
    patients.sector = "patient"
    programme = Programme(code="IHI", name="IHI", lineage="\n".join(DEFAULT_LINEAGES["IHI"]))
    db.add(programme)
    db.commit()
    return programme


def org(db, pic: str) -> Organisation:
    return db.scalar(select(Organisation).where(Organisation.pic == pic))


def test_derivations_and_matching_in_python():
    assert framework_for("", "HORIZON-JU-IHI-2023-04-two-stage", []) == "HORIZON"
    assert framework_for("", "", ["H2020-EU.3.1.7."]) == "H2020"
    assert framework_for("", "IMI-JU-01-2008", ["FP7-JTI"]) == "FP7"
    assert funding_body_for("HORIZON", "HORIZON-JU-IHI-2023-04-two-stage") == "IHI JU"
    assert funding_body_for("HORIZON", "HORIZON-KDT-JU-2021-1-IA") == "KDT JU"
    assert funding_body_for("H2020", "H2020-JTI-IMI2-2019-17-two-stage") == "IMI2 JU"
    assert funding_body_for("H2020", "IMI2-2020-22-01") == "IMI2 JU"
    assert funding_body_for("FP7", "IMI-JU-01-2008") == "IMI JU"
    assert funding_body_for("HORIZON", "HORIZON-CL1-2022-01") == "European Commission"
    assert funding_body_for("HORIZON", "ERC-2022-STG") == "ERC"
    assert parse_lineage(" IMI \n imi, H2020-JTI-IMI2;\n\n") == ["IMI", "H2020-JTI-IMI2"]
    wanted = DEFAULT_LINEAGES["IHI"]
    assert in_lineage(wanted, "H2020-JTI-IMI2-2015-03-01", "", [])
    assert in_lineage(wanted, "", "", ["H2020-EU.3.1.7."])
    assert not in_lineage(wanted, "SP1-JTI-FCH-2009-1", "", ["FP7-JTI"])


def test_histories_count_the_lineage_only(registry, db):
    ki = org(db, official.KI)
    paris = org(db, official.PARIS)
    found = lineage.histories(db, lineage.prefixes(registry), [ki.id, paris.id])
    assert paris.id not in found  # only in projects outside the lineage
    h = found[ki.id]
    assert (h.projects, h.first_year, h.last_year) == (3, 2009, 2023)
    assert h.roles == {"coordinator": 3} and h.years == "2009-2023"
    assert lineage.count_in(db, lineage.prefixes(registry)) == (3, 4)


def test_the_registry_filters_by_lineage(registry, db):
    stmt = orgsearch.search(db, orgsearch.OrgQuery(lineage=registry.id))
    pics = {o.pic for o in db.scalars(stmt)}
    assert pics == {official.KI, official.PHARMA, official.PATIENTS, official.STARTUP}
    assert not list(db.scalars(orgsearch.search(db, orgsearch.OrgQuery(lineage=99999))))


def test_community_by_sector_year_country_and_its_exports(registry, db):
    data = community(db, registry)
    assert (data.projects, data.organisations, data.teams) == (3, 4, 12)
    sectors = {t.label: (t.organisations, t.teams) for t in data.sectors}
    assert sectors["Academia"] == (1, 3) and sectors["EFPIA members"] == (1, 3)
    assert sectors["SMEs"] == (1, 3) and sectors["Patient organisations"] == (1, 3)
    assert sectors["Industry (not EFPIA)"] == (0, 0)
    assert [(t.label, t.projects, t.teams) for t in data.years] == [
        ("2009", 1, 4), ("2020", 1, 4), ("2023", 1, 4)
    ]  # fmt: skip
    assert {t.label for t in data.countries} == {"Sweden", "Switzerland", "Belgium", "Germany"}
    table = community_table(data)
    text = to_csv(table)
    assert "EFPIA members" in text and "Start year,2009,1,4,4" in text
    assert to_xlsx(table)[:2] == b"PK"


def test_matching_data_has_each_organisations_lineage(registry, db):
    records = {r.organisation_id: r for r in iter_lineage_records(db, lineage.prefixes(registry))}
    ki = records[org(db, official.KI).id]
    assert (ki.projects, ki.roles, ki.latest_year) == (3, {"coordinator": 3}, 2023)
    assert org(db, official.PARIS).id not in records
    assert list(iter_lineage_records(db, [])) == []


def test_only_admins_edit_a_lineage_and_it_is_audited(registry, db, make_user):
    with pytest.raises(PermissionDenied):
        lineage.update_lineage(db, RequestContext(make_user("coordinator")), registry.id, "X")
    admin = make_user("admin")
    lineage.update_lineage(db, RequestContext(admin), registry.id, "HORIZON-JU-IHI\n\nIMI")
    assert registry.lineage == "HORIZON-JU-IHI\nIMI"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "programme.lineage"))
    assert entry is not None
    for bad in ("X" * 61, "\n".join(f"P{i}" for i in range(51)), "IMI\x01"):
        with pytest.raises(InvalidInput):
            lineage.update_lineage(db, RequestContext(admin), registry.id, bad)

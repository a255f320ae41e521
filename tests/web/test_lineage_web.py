"""Programme lineage pages: the admin form, the community page with its charts and
exports, lineage counts on organisation search and profiles, a one-zip upload."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from models import ImportRun, Organisation, Programme
from services.core.context import RequestContext
from services.organisations import cordis_import
from services.organisations.cordis.programmes import DEFAULT_LINEAGES
from tests.conftest import PASSWORD
from tests.services import cordis_official as official
from tests.support import csrf_from, login


def _registry(db, tmp_path) -> Programme:
    for kind in ("fp7", "h2020", "he"):
        files = cordis_import.resolve_download(official.write_zip(tmp_path / kind, kind))
        run = cordis_import.create_run(db, RequestContext(None), *files)
        cordis_import.run_import(db, run.id)
    programme = Programme(code="IHI", name="IHI", lineage="\n".join(DEFAULT_LINEAGES["IHI"]))
    db.add(programme)
    db.commit()
    return programme


def test_community_page_charts_tables_and_exports(client, db, make_user, tmp_path):
    programme = _registry(db, tmp_path)
    login(client, make_user("viewer").email, PASSWORD)
    url = f"/organisations/programmes/{programme.id}/community"
    page = client.get(url).get_data(as_text=True)
    assert page.count('<svg class="chart" role="img"') == 3 and "<desc" in page
    assert "EFPIA members" in page and "Patient organisations" in page and "2009" in page
    csv = client.get(url + ".csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert "Sector,Academia,,1,3" in csv.get_data(as_text=True)
    assert client.get(url + ".xlsx").data[:2] == b"PK"
    ki = db.scalar(select(Organisation).where(Organisation.pic == official.KI))
    profile = client.get(f"/organisations/{ki.id}").get_data(as_text=True)
    assert "3 projects in this programme's lineage (2009, 2023)" in profile
    search = client.get(f"/organisations/?lineage={programme.id}").get_data(as_text=True)
    assert "KAROLINSKA" in search and "PARIS-SACLAY" not in search
    assert "3 projects (2009, 2023)" in search
    assert client.get("/organisations/?lineage=abc").status_code == 200
    assert client.get("/organisations/programmes/999/community").status_code == 404


def test_admin_edits_the_lineage(client, db, make_user, tmp_path):
    programme = _registry(db, tmp_path)
    login(client, make_user("admin").email, PASSWORD)
    html = client.get("/organisations/lineages").get_data(as_text=True)
    assert "HORIZON-JU-IHI" in html
    field = f"p{programme.id}-lineage"
    data = {field: "HORIZON-JU-IHI\nIMI", "csrf_token": csrf_from(html)}
    data.update({f"p{programme.id}-csrf_token": csrf_from(html)})
    url = f"/organisations/programmes/{programme.id}/lineage"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.expire_all()
    assert db.get(Programme, programme.id).lineage == "HORIZON-JU-IHI\nIMI"
    bad = client.post(url, data={**data, field: "X" * 70})
    assert bad.status_code == 422 and "At most" in bad.get_data(as_text=True)
    nul = client.post(url, data={**data, field: "IMI\x00"})
    assert nul.status_code == 422 and "NUL byte" in nul.get_data(as_text=True)


def test_one_official_zip_is_uploaded_alone(app, runtime, client, db, make_user, tmp_path):
    login(client, make_user("admin").email, PASSWORD)
    path = official.write_zip(tmp_path, "h2020")
    html = client.get("/organisations/imports").get_data(as_text=True)
    response = client.post(
        "/organisations/imports",
        data={"csrf_token": csrf_from(html),
              "projects": (io.BytesIO(path.read_bytes()), path.name)},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    run_id = int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))
    runtime.dispatcher.wait_idle()
    db.expire_all()
    run = db.get(ImportRun, run_id)
    assert run.status == "done" and run.counts["participations_created"] == 6

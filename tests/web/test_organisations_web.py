"""Organisation pages: search, profile, edit rights, import upload -> task -> report, merge."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from models import AuditEntry, ImportRun, Organisation, Participation
from services.core.context import RequestContext
from services.organisations.cordis_import import create_run, run_import
from tests.conftest import PASSWORD
from tests.services import cordis_files as cf
from tests.support import csrf_from, login, post_form


def _imported(db, tmp_path):
    r = create_run(db, RequestContext(None), *cf.write(tmp_path))
    run_import(db, r.id)
    db.commit()
    return {o.pic: o for o in db.scalars(select(Organisation))}


def test_search_and_profile_pages(client, db, make_user, tmp_path):
    by_pic = _imported(db, tmp_path)
    login(client, make_user("viewer").email, PASSWORD)
    page = client.get("/organisations/?q=karolinzka&sort=projects").get_data(as_text=True)
    assert "KAROLINSKA INSTITUTET" in page and "PARIS-SACLAY" not in page
    page = client.get("/organisations/?country=DE&sme=yes&page=abc").get_data(as_text=True)
    assert "BIOTECH STARTUP GMBH" in page and "KAROLINSKA" not in page
    ki = by_pic["999000001"]
    page = client.get(f"/organisations/{ki.id}").get_data(as_text=True)
    assert "AMR-NET" in page and "Coordinator" in page and "BIG PHARMA AG" in page
    assert "EUR 1,000,000.50" in page
    assert client.get(f"/organisations/{ki.id}/edit").status_code == 403
    assert client.get("/organisations/999999").status_code == 404
    assert client.get("/organisations/imports").status_code == 403


def test_representative_edits_own_descriptive_fields_only(client, db, world, make_user):
    uni = world["uni"]
    rep = make_user("viewer", org_id=uni.id, org_role="applicant")
    login(client, rep.email, PASSWORD)
    url = f"/organisations/{uni.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="description"' in form and 'name="legal_name"' not in form
    response = post_form(
        client, url, {"description": "Testing experts", "legal_name": "Hijacked", "city": "Bonn"}
    )
    assert response.status_code == 302
    db.refresh(uni)
    assert (uni.description, uni.city, uni.legal_name) == (
        "Testing experts",
        "Bonn",
        "University of Testing",
    )
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.update"))
    other = world["pharma"]
    assert client.get(f"/organisations/{other.id}/edit").status_code == 403
    assert post_form(client, f"/organisations/{other.id}/edit", {"description": "x"},
                     page=url).status_code == 403  # fmt: skip


def test_coordinator_sees_errors_beside_fields(client, db, world, make_user):
    login(client, make_user("coordinator").email, PASSWORD)
    uni = world["uni"]
    data = {"legal_name": uni.legal_name, "country": "ZZ", "sector": "academia",
            "partner_type": "", "pic": ""}  # fmt: skip
    response = post_form(client, f"/organisations/{uni.id}/edit", data)
    assert response.status_code == 422
    assert "Choose a country" in response.get_data(as_text=True)


def test_a_sector_an_admin_sets_survives_a_re_import(client, db, make_user, tmp_path):
    org = next(o for o in _imported(db, tmp_path).values() if o.sector == "academia")
    login(client, make_user("admin").email, PASSWORD)
    url = f"/organisations/{org.id}/edit"
    data = {"legal_name": org.legal_name, "short_name": org.short_name or "", "pic": org.pic,
            "country": org.country, "city": org.city or "", "sector": "research",
            "partner_type": ""}  # fmt: skip
    assert post_form(client, url, data).status_code == 302
    assert "sector set by hand" in client.get(f"/organisations/{org.id}").get_data(as_text=True)
    again = create_run(db, RequestContext(None), *cf.write(tmp_path))
    run_import(db, again.id)
    db.commit()
    db.refresh(org)
    assert (org.sector, org.sector_by_hand) == ("research", True)
    assert again.counts["organisation_sectors_updated"] == 0


def _upload(client, files: dict[str, tuple[bytes, str]]):
    html = client.get("/organisations/imports").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html)}
    for field, (content, name) in files.items():
        data[field] = (io.BytesIO(content), name)
    return client.post("/organisations/imports", data=data, content_type="multipart/form-data")


def test_import_page_upload_task_report(app, runtime, client, db, make_user, tmp_path):
    login(client, make_user("admin").email, PASSWORD)
    rows = cf.participations()
    rows[1]["country"] = "QQ"
    p, o = cf.write(tmp_path, org_rows=rows, compress="gz")
    response = _upload(
        client,
        {"projects": (p.read_bytes(), "project.csv.gz"),
         "organisations": (o.read_bytes(), "organization.csv.gz")},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    run_url = response.headers["Location"]
    run_id = int(re.search(r"/imports/(\d+)", run_url).group(1))
    runtime.dispatcher.wait_idle()
    page = client.get(f"/organisations/imports/{run_id}/status").get_data(as_text=True)
    assert "<strong>Done</strong>" in page and "hx-trigger" not in page
    assert "unknown country" in page and "organization.csv.gz" in page
    db.expire_all()
    run = db.get(ImportRun, run_id)
    assert run.status == "done" and run.counts["participations_created"] == 4
    assert db.scalar(select(func.count()).select_from(Participation)) == 4
    assert str(app.instance_path) in run.projects_file
    assert "Import" in client.get(run_url).get_data(as_text=True)
    assert f"/organisations/imports/{run_id}" in client.get("/organisations/imports").get_data(
        as_text=True
    )


def test_import_page_refuses_non_cordis_and_needs_csrf(client, db, make_user, tmp_path):
    login(client, make_user("admin").email, PASSWORD)
    p, _ = cf.write(tmp_path)
    response = _upload(
        client,
        {"projects": (p.read_bytes(), "project.csv"),
         "organisations": (b"name;email\nA;a@b.c\n", "people.csv")},
    )  # fmt: skip
    assert response.status_code == 422
    assert "not CORDIS" in response.get_data(as_text=True) or "organisationID" in (
        response.get_data(as_text=True)
    )
    assert db.scalar(select(func.count()).select_from(ImportRun)) == 0
    # A broken zip is refused naming the file, never where the server keeps it.
    broken = _upload(client, {"projects": (b"PK\x03\x04 not really a zip", "cordis.zip")})
    page = broken.get_data(as_text=True)
    assert "not a readable zip archive" in page, page[:3000]
    assert str(tmp_path) not in page and "/uploads/" not in page and "instance" not in page
    no_token = client.post(
        "/organisations/imports",
        data={"projects": (io.BytesIO(p.read_bytes()), "p.csv"),
              "organisations": (io.BytesIO(p.read_bytes()), "o.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert no_token.status_code == 400


def test_upload_over_the_limit_is_413(app, client, make_user):
    login(client, make_user("admin").email, PASSWORD)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = _upload(
        client,
        {"projects": (b"x" * 10_000, "p.csv"), "organisations": (b"y", "o.csv")},
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_duplicates_page_and_merge(client, db, make_user, tmp_path):
    by_pic = _imported(db, tmp_path)
    ki = by_pic["999000001"]
    copy = Organisation(legal_name="Karolinska Institutet", country="SE", sector="academia")
    db.add(copy)
    db.commit()
    login(client, make_user("admin").email, PASSWORD)
    page = client.get("/organisations/duplicates").get_data(as_text=True)
    assert f'name="drop_id" value="{copy.id}"' in page
    response = post_form(
        client,
        "/organisations/merge",
        {"keep_id": ki.id, "drop_id": copy.id},
        page="/organisations/duplicates",
    )
    assert response.status_code == 302
    db.refresh(copy)
    assert copy.merged_into_id == ki.id
    followed = client.get(f"/organisations/{copy.id}")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/{ki.id}")
    again = post_form(client, "/organisations/merge", {"keep_id": ki.id, "drop_id": copy.id},
                      page="/organisations/duplicates")  # fmt: skip
    assert again.status_code == 409


def test_profile_names_only_the_pledged_topics_the_viewer_may_open(
    app, client, db, world, make_user
):
    """The involvement list's titles come from one query with the topic visibility clause."""
    from tests.pledge_helpers import add_pledge
    from tests.topic_support import make_topic

    rep = make_user(org_id=world["pharma"].id, org_role="partner_rep")
    hidden = make_topic(db, world, "idea", title="Unpublished idea")
    shown = make_topic(db, world, "published", title="Open topic")
    add_pledge(db, hidden, world["pharma"], "5.00", commit=False)
    add_pledge(db, shown, world["pharma"], "7.00", commit=False)
    db.commit()
    login(client, rep.email, PASSWORD)
    page = client.get(f"/organisations/{world['pharma'].id}").get_data(as_text=True)
    assert "“Open topic”" in page and "a topic you cannot see" in page
    assert "Unpublished idea" not in page
    office = app.test_client()
    login(office, make_user("coordinator").email, PASSWORD)
    page = office.get(f"/organisations/{world['pharma'].id}").get_data(as_text=True)
    assert "“Unpublished idea”" in page and "a topic you cannot see" not in page

"""The CORDIS import page hands the run to a real Celery worker, which reports back."""

from __future__ import annotations

import io
import time

from sqlalchemy import select

from models import ImportRun
from services.accounts import users as accounts
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.services import cordis_files as cf
from tests.support import csrf_from, login


def test_upload_runs_on_a_real_worker(celery_worker, redis_app, tmp_path):
    session = redis_app.extensions["partnering.sessions"]()
    admin = accounts.create_user(
        session,
        RequestContext(None),
        email="admin-w@example.org",
        name="Admin",
        role="admin",
        password=PASSWORD,
    )
    session.commit()
    client = redis_app.test_client()
    login(client, admin.email, PASSWORD)
    p, o = cf.write(tmp_path)
    token = csrf_from(client.get("/organisations/imports").get_data(as_text=True))
    response = client.post(
        "/organisations/imports",
        data={
            "csrf_token": token,
            "projects": (io.BytesIO(p.read_bytes()), "project.csv"),
            "organisations": (io.BytesIO(o.read_bytes()), "organization.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    session.close()
    deadline = time.monotonic() + 30
    row = None
    while time.monotonic() < deadline:
        with redis_app.extensions["partnering.sessions"]() as reader:  # short transactions:
            query = select(ImportRun.id, ImportRun.status, ImportRun.counts, ImportRun.message)
            row = reader.execute(query).first()  # the worker needs the SQLite write lock
            reader.rollback()
        if row is not None and row.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert row is not None and row.status == "done", row
    assert row.counts["participations_created"] == 5
    status = client.get(f"/organisations/imports/{row.id}/status").get_data(as_text=True)
    assert "participations created" in status and "hx-trigger" not in status

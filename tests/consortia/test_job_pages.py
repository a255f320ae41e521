"""What the pages and the API say of a job's lease, and their cancel buttons."""

from __future__ import annotations

from datetime import timedelta

from models import ImportRun, MatchRequest
from models.base import utcnow
from services.accounts import api_tokens
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.support import login, post_form


def _running(db, pool, by, **values) -> MatchRequest:
    req = MatchRequest(
        topic_id=pool["topic"].id,
        requested_by_id=by.id,
        params={"size": 6, "min_countries": 4, "industry_partners": "exclude"},
        input_hash="h",
        index_version_id=pool["version"].id,
        **values,
    )
    db.add(req)
    db.commit()
    return req


def test_match_page_says_it_was_retried_and_cancels(client, db, pool, make_user):
    coordinator = make_user("coordinator")
    req = _running(
        db, pool, coordinator, status="running", progress=40, attempts=2, lease_owner="w@h/1/x",
        lease_expires_at=utcnow() + timedelta(seconds=60),
    )  # fmt: skip
    login(client, coordinator.email, PASSWORD)
    html = client.get(f"/consortia/{req.id}").get_data(as_text=True)
    assert "Retried after a worker stopped (attempt 2 of 3)." in html
    assert "Cancel this computation" in html
    r = post_form(client, f"/consortia/{req.id}/cancel", {}, page=f"/consortia/{req.id}")
    assert r.status_code == 302
    db.refresh(req)
    assert req.status == "running" and req.cancel_requested_at is not None
    html = client.get(f"/consortia/{req.id}").get_data(as_text=True)
    assert "Cancel asked: it stops at its next checkpoint." in html
    assert "Cancel this computation" not in html


def test_api_cancels_a_queued_request_and_refuses_a_finished_one(client, db, pool, make_user):
    requester = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    req = _running(db, pool, requester, status="queued")
    _token, raw = api_tokens.create_token(
        db, RequestContext(db.merge(requester)), name="t", scope="write"
    )
    db.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    r = client.post(f"/api/v1/match-requests/{req.id}/cancel", headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "cancelled" and body["error"].startswith("Cancelled by")
    assert body["attempts"] == 0
    again = client.post(f"/api/v1/match-requests/{req.id}/cancel", headers=headers)
    assert again.status_code == 409 and "nothing to cancel" in again.get_json()["detail"]


def test_import_page_cancels_a_queued_import(client, db, make_user):
    admin = make_user("admin")
    run = ImportRun(projects_file="p.csv", organisations_file="o.csv")
    db.add(run)
    db.commit()
    login(client, admin.email, PASSWORD)
    page = f"/organisations/imports/{run.id}"
    assert "Cancel this import" in client.get(page).get_data(as_text=True)
    r = post_form(client, f"{page}/cancel", {}, page=page)
    assert r.status_code == 302
    db.refresh(run)
    assert run.status == "cancelled" and "what it imported is kept" in run.message
    assert "Cancel this import" not in client.get(page).get_data(as_text=True)

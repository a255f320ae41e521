"""Organisation search, match requests and the inbox over the API."""

from __future__ import annotations

from sqlalchemy import select

import models
from services.notifications import notify
from tests.api.conftest import bearer


def test_organisation_search_and_read(client, db, world, make_user, token_for):
    raw = token_for(make_user())
    r = client.get("/api/v1/organisations?q=pharma&sort=name&per_page=1", headers=bearer(raw))
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 2 and body["pages"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["legal_name"] == "Pharma One AG" and body["items"][0]["projects"] == 0
    r = client.get(
        "/api/v1/organisations?q=pharma&sort=name&per_page=1&page=2", headers=bearer(raw)
    )
    assert r.get_json()["items"][0]["legal_name"] == "Pharma Two SA"
    r = client.get("/api/v1/organisations?pic=900000003", headers=bearer(raw))
    assert [o["legal_name"] for o in r.get_json()["items"]] == ["University of Testing"]
    r = client.get(
        "/api/v1/organisations?country=de&sector=academia&sme=false", headers=bearer(raw)
    )
    assert [o["id"] for o in r.get_json()["items"]] == [world["uni"].id]
    r = client.get(f"/api/v1/organisations/{world['uni'].id}", headers=bearer(raw))
    assert r.get_json()["pic"] == "900000003" and r.get_json()["partner_type"] is None
    assert client.get("/api/v1/organisations/999999", headers=bearer(raw)).status_code == 404
    r = client.get("/api/v1/organisations?sector=pirates&page=0", headers=bearer(raw))
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"sector", "page"}


def test_match_request_lifecycle(runtime, client, db, pool, make_user, token_for, world):
    topic = pool["topic"]
    member = make_user(sgg_id=world["sgg_a"].id)
    outsider = make_user(sgg_id=world["sgg_b"].id)
    raw = token_for(member, "write")
    url = f"/api/v1/topics/{topic.id}/match-requests"
    params = {
        "size": 6,
        "min_countries": 4,
        "min_sme_share": 0.2,
        "sector_counts": {"academia": 2, "sme": 1},
        "alternates": 10,
    }
    r = client.post(url, headers=bearer(raw), json=params)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["reused"] is False and created["status"] in ("queued", "running", "done")
    runtime.dispatcher.wait_idle()
    r = client.get(f"/api/v1/match-requests/{created['id']}", headers=bearer(raw))
    result = r.get_json()
    assert result["status"] == "done", result["error"]
    assert len(result["members"]) == 6 and result["alternates"]
    first = result["members"][0]
    assert first["organisation_name"] and "reasons" in first["explanation"]
    assert result["checks"] and isinstance(result["eligible"], bool)
    # Same inputs: the stored request comes back.
    again = client.post(url, headers=bearer(raw), json=params).get_json()
    assert again["id"] == created["id"] and again["reused"] is True
    listed = client.get(url, headers=bearer(raw)).get_json()
    assert [m["id"] for m in listed["items"]] == [created["id"]]
    # Bad parameters: field errors from the schema and from the service.
    r = client.post(url, headers=bearer(raw), json={"size": 0, "sector_mode": "maybe"})
    assert r.status_code == 422 and {"size", "sector_mode"} <= set(r.get_json()["errors"])
    r = client.post(url, headers=bearer(raw), json={"must_include": [999999]})
    assert r.status_code == 422 and "must_include" in r.get_json()["errors"]
    # Another SGG's member sees nothing of it.
    other = token_for(outsider, "write")
    assert (
        client.get(f"/api/v1/match-requests/{created['id']}", headers=bearer(other)).status_code
        == 404
    )
    assert client.get(url, headers=bearer(other)).status_code == 404
    # The topic is a draft of another SGG: hidden (404, as for GET), not merely refused.
    assert client.post(url, headers=bearer(other), json=params).status_code == 404
    db.rollback()
    assert len(db.scalars(select(models.MatchRequest)).all()) == 1


def test_inbox_list_and_mark_read(client, db, make_user, token_for):
    user, other = make_user(), make_user()
    for i in range(3):
        notify.notify(db, "test.event", [user], subject=f"Hello {i}", summary="Body", link="")
    notify.notify(db, "test.event", [other], subject="Not yours", summary="Body", link="")
    db.commit()
    raw = token_for(user, "write")
    body = client.get("/api/v1/notifications?limit=2", headers=bearer(raw)).get_json()
    assert [n["subject"] for n in body["items"]] == ["Hello 2", "Hello 1"]
    assert body["unread"] == 3 and body["next_cursor"]
    rest = client.get(
        f"/api/v1/notifications?cursor={body['next_cursor']}", headers=bearer(raw)
    ).get_json()
    assert [n["subject"] for n in rest["items"]] == ["Hello 0"] and rest["next_cursor"] is None
    first = body["items"][0]["id"]
    r = client.post(f"/api/v1/notifications/{first}/read", headers=bearer(raw))
    assert r.status_code == 200 and r.get_json()["read_at"]
    unread = client.get("/api/v1/notifications?unread=true", headers=bearer(raw)).get_json()
    assert first not in [n["id"] for n in unread["items"]] and unread["unread"] == 2
    theirs = db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.recipient_id == other.id, models.OutboxMessage.channel == "inbox"
        )
    ).one()
    assert (
        client.post(f"/api/v1/notifications/{theirs.id}/read", headers=bearer(raw)).status_code
        == 404
    )
    read_only = token_for(user, "read")
    assert (
        client.post("/api/v1/notifications/read-all", headers=bearer(read_only)).status_code == 403
    )
    r = client.post("/api/v1/notifications/read-all", headers=bearer(raw))
    assert r.get_json() == {"marked": 2}

"""Pledges over the API: strict money strings, breakdown, lifecycle, who may decide."""

from __future__ import annotations

from sqlalchemy import select

import models
from tests.api.conftest import bearer
from tests.pledge_helpers import add_pledge, make_topic

API = "/api/v1/pledges"


def _body(topic, org, **overrides):
    body = {
        "topic_id": topic.id,
        "organisation_id": org.id,
        "kind": "ikop",
        "amount": "1250000.50",
        "personnel": "1000000.00",
        "consumables": "250000.50",
        "start_year": 2027,
        "end_year": 2031,
    }
    body.update(overrides)
    return body


def test_create_submit_confirm(client, db, world, make_user, token_for):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    coordinator = make_user("coordinator")
    raw, coord = token_for(rep, "write"), token_for(coordinator, "write")
    r = client.post(API, headers=bearer(raw), json=_body(topic, world["pharma"]))
    assert r.status_code == 201, r.get_json()
    pledge = r.get_json()
    assert pledge["status"] == "draft" and pledge["amount"] == "1250000.50"
    assert pledge["personnel"] == "1000000.00" and pledge["equipment"] is None
    assert pledge["third_country_costs"] == "0.00" and pledge["eu_match"] is None
    pid = pledge["id"]
    r = client.post(f"{API}/{pid}/submit", headers=bearer(raw))
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    # The partner cannot confirm its own pledge.
    r = client.post(f"{API}/{pid}/confirm", headers=bearer(raw))
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    r = client.post(f"{API}/{pid}/confirm", headers=bearer(coord))
    assert r.status_code == 200, r.get_json()
    decided = r.get_json()
    assert decided["pledge"]["status"] == "confirmed"
    assert decided["pledge"]["eu_match"] == "1250000.50"
    assert isinstance(decided["warnings"], list)
    # Deciding twice is a conflict; withdrawing a confirmed pledge needs a reason.
    assert client.post(f"{API}/{pid}/confirm", headers=bearer(coord)).status_code == 409
    r = client.post(f"{API}/{pid}/withdraw", headers=bearer(raw), json={})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    r = client.post(f"{API}/{pid}/withdraw", headers=bearer(raw), json={"reason": "Budget cut"})
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    assert r.get_json()["eu_match"] is None


def test_reject_needs_coordinator_and_reason(client, db, world, make_user, token_for):
    topic = make_topic(db, world)
    pledge = add_pledge(db, topic, world["pharma"], "5000.00")
    coordinator = make_user("coordinator")
    coord = token_for(coordinator, "write")
    r = client.post(f"{API}/{pledge.id}/reject", headers=bearer(coord), json={"reason": " "})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    r = client.post(f"{API}/{pledge.id}/reject", headers=bearer(coord), json={"reason": "Late"})
    assert r.status_code == 200 and r.get_json()["pledge"]["status"] == "rejected"


def test_malformed_money_and_breakdown_are_422(client, db, world, make_user, token_for):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    raw = token_for(rep, "write")
    for bad in ("1,250,000.50", "1e6", "-5.00", "12.345", "", "EUR 5", "1250000.5x"):
        r = client.post(API, headers=bearer(raw), json=_body(topic, world["pharma"], amount=bad))
        assert r.status_code == 422, bad
        assert "amount" in r.get_json()["errors"], bad
    r = client.post(API, headers=bearer(raw), json=_body(topic, world["pharma"], amount=1250000))
    assert r.status_code == 422 and "amount" in r.get_json()["errors"]
    # The breakdown must add up to the amount, to the cent (the service's rule).
    r = client.post(
        API, headers=bearer(raw), json=_body(topic, world["pharma"], consumables="250000.49")
    )
    assert r.status_code == 422 and "amount" in r.get_json()["errors"]
    assert "to the cent" in r.get_json()["errors"]["amount"][0]
    r = client.post(API, headers=bearer(raw), json=_body(topic, world["pharma"], kind="gift"))
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]
    db.rollback()
    assert db.scalars(select(models.Pledge)).all() == []


def test_visibility_and_permissions(client, db, world, make_user, token_for):
    topic = make_topic(db, world)
    mine = add_pledge(db, topic, world["pharma"], "1000.00")
    theirs = add_pledge(db, topic, world["pharma2"], "2000.00")
    rep = make_user(org_id=world["pharma"].id)
    coordinator = make_user("coordinator")
    read, write = token_for(rep, "read"), token_for(rep, "write")
    body = client.get(API, headers=bearer(read)).get_json()
    assert [p["id"] for p in body["items"]] == [mine.id] and body["next_cursor"] is None
    assert client.get(f"{API}/{theirs.id}", headers=bearer(read)).status_code == 404
    assert client.get(f"{API}/{mine.id}", headers=bearer(read)).get_json()["amount"] == "1000.00"
    # Pledging for an organisation one does not represent is refused.
    r = client.post(API, headers=bearer(write), json=_body(topic, world["pharma2"]))
    assert r.status_code == 403
    # A read token cannot write.
    r = client.post(f"{API}/{mine.id}/withdraw", headers=bearer(read), json={})
    assert r.status_code == 403 and "read-only" in r.get_json()["detail"]
    # Coordinators list a topic's pledges, page by page.
    coord = token_for(coordinator)
    r = client.get(f"{API}?topic_id={topic.id}&limit=1", headers=bearer(coord))
    first = r.get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    r = client.get(
        f"{API}?topic_id={topic.id}&cursor={first['next_cursor']}", headers=bearer(coord)
    )
    assert [p["id"] for p in r.get_json()["items"]] == [theirs.id]
    # A topic the user cannot see is a 404, even for listing its pledges.
    hidden = make_topic(db, world, status="idea", title="Hidden")
    assert client.get(f"{API}?topic_id={hidden.id}", headers=bearer(read)).status_code == 404

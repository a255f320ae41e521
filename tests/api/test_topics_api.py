"""Topics over the API: visibility, create, edit with optimistic locking, transitions."""

from __future__ import annotations

from sqlalchemy import select

import models
from tests.api.conftest import bearer
from tests.topic_support import make_call, make_topic

API = "/api/v1/topics"


def test_list_is_visibility_filtered_and_paginated(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    mine = [make_topic(db, world, "idea", title=f"Mine {i}") for i in range(3)]
    other = make_topic(db, world, "idea", title="Theirs", sgg=world["sgg_b"])
    published = make_topic(db, world, "published", title="Public one", sgg=world["sgg_b"])
    raw = token_for(member)
    seen, cursor = [], None
    while True:
        url = f"{API}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url, headers=bearer(raw))
        assert r.status_code == 200
        body = r.get_json()
        assert len(body["items"]) <= 2
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted([t.id for t in mine] + [published.id])
    assert other.id not in seen
    r = client.get(f"{API}?status=published&q=public", headers=bearer(raw))
    assert [t["id"] for t in r.get_json()["items"]] == [published.id]
    r = client.get(f"{API}?sgg={world['sgg_a'].id}", headers=bearer(raw))
    assert {t["id"] for t in r.get_json()["items"]} == {t.id for t in mine}
    item = r.get_json()["items"][0]
    assert item["eu_contribution"] == "1000000.00" and item["industry_contribution"] == "900000.50"


def test_other_sggs_draft_is_404_and_bad_filters_422(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    other = make_topic(db, world, "drafting", title="Hidden", sgg=world["sgg_b"])
    raw = token_for(member, "write")
    for r in (
        client.get(f"{API}/{other.id}", headers=bearer(raw)),
        client.get(f"{API}/{other.id}/transitions", headers=bearer(raw)),
        client.patch(f"{API}/{other.id}", headers=bearer(raw), json={"version": 1, "title": "x"}),
        client.post(f"{API}/{other.id}/transitions", headers=bearer(raw), json={"name": "submit"}),
    ):
        assert r.status_code == 404 and r.mimetype == "application/problem+json"
    r = client.get(f"{API}?status=nonsense&limit=0", headers=bearer(raw))
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"status", "limit"}
    assert client.get(f"{API}?cursor=!!!", headers=bearer(raw)).status_code == 400


def test_create_read_and_permission(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    raw = token_for(member, "write")
    body = {
        "sgg_id": world["sgg_a"].id,
        "title": "Pertussis vaccine",
        "challenge": "Infants need better vaccines.",
        "eu_contribution": "2500000.50",
        "sme_share": "0.2",
        "sector_targets": {"academia": "3", "sme": "20%"},
        "industry_partner_ids": [world["pharma"].id],
    }
    r = client.post(API, headers=bearer(raw), json=body)
    assert r.status_code == 201, r.get_json()
    topic = r.get_json()
    assert topic["status"] == "idea" and topic["version"] == 1
    assert topic["eu_contribution"] == "2500000.50" and topic["sme_share"] == "0.2000"
    assert topic["sector_targets"] == {"academia": 3, "sme": "0.2000"}
    assert topic["industry_partner_ids"] == [world["pharma"].id]
    assert "submit" in [t["name"] for t in topic["transitions"] if t["allowed"]]
    assert client.get(f"{API}/{topic['id']}", headers=bearer(raw)).get_json()["title"] == (
        "Pertussis vaccine"
    )
    # Another SGG: refused by the service, nothing created.
    r = client.post(API, headers=bearer(raw), json={**body, "sgg_id": world["sgg_b"].id})
    assert r.status_code == 403
    # A read token never writes.
    r = client.post(API, headers=bearer(token_for(member, "read")), json=body)
    assert r.status_code == 403 and "read-only" in r.get_json()["detail"]
    db.rollback()
    assert len(db.scalars(select(models.Topic)).all()) == 1


def test_bad_input_gives_field_errors(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    raw = token_for(member, "write")
    r = client.post(
        API,
        headers=bearer(raw),
        json={"sgg_id": world["sgg_a"].id, "title": "", "eu_contribution": "1,000.001"},
    )
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"title", "eu_contribution"} <= set(errors)
    # Service-level validation is a 422 with field errors too.
    r = client.post(
        API,
        headers=bearer(raw),
        json={"sgg_id": world["sgg_a"].id, "title": "T", "sector_targets": {"sme": "250%"}},
    )
    assert r.status_code == 422 and "sector_targets" in r.get_json()["errors"]
    r = client.post(API, headers=bearer(raw), json={"sgg_id": 99999, "title": "T"})
    assert r.status_code == 422 and "sgg_id" in r.get_json()["errors"]


def test_edit_with_version_and_stale_version_is_409(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    topic = make_topic(db, world, "idea")
    raw = token_for(member, "write")
    r = client.patch(
        f"{API}/{topic.id}",
        headers=bearer(raw),
        json={"version": topic.version, "scope": "A new scope.", "note": "scope"},
    )
    assert r.status_code == 200, r.get_json()
    edited = r.get_json()
    assert edited["scope"] == "A new scope." and edited["version"] == topic.version + 1
    assert edited["challenge"] == "The challenge."  # untouched fields are kept
    r = client.patch(
        f"{API}/{topic.id}", headers=bearer(raw), json={"version": topic.version, "scope": "Old"}
    )
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert "version" in r.get_json()["detail"]
    r = client.patch(f"{API}/{topic.id}", headers=bearer(raw), json={"scope": "no version"})
    assert r.status_code == 422 and "version" in r.get_json()["errors"]
    db.expire_all()
    assert db.get(models.Topic, topic.id).scope == "A new scope."


def test_transitions_and_history(client, db, world, make_user, token_for):
    member = make_user(sgg_id=world["sgg_a"].id)
    coordinator = make_user("coordinator")
    call = make_call(db, world)
    topic = make_topic(db, world, "idea", call=call)
    sgg, coord = token_for(member, "write"), token_for(coordinator, "write")
    r = client.post(f"{API}/{topic.id}/transitions", headers=bearer(sgg), json={"name": "submit"})
    assert r.status_code == 201 and r.get_json()["to_state"] == "screening"
    # The SGG may not accept: a role refusal is 403 with the service's message.
    r = client.post(f"{API}/{topic.id}/transitions", headers=bearer(sgg), json={"name": "accept"})
    assert r.status_code == 403 and "coordinators" in r.get_json()["detail"]
    # A comment is required to send back: 409 with the reason.
    r = client.post(
        f"{API}/{topic.id}/transitions", headers=bearer(coord), json={"name": "send_back"}
    )
    assert r.status_code == 409 and "comment" in r.get_json()["detail"]
    # Wrong state: 409.
    r = client.post(f"{API}/{topic.id}/transitions", headers=bearer(coord), json={"name": "close"})
    assert r.status_code == 409
    r = client.post(f"{API}/{topic.id}/transitions", headers=bearer(coord), json={"name": "fly"})
    assert r.status_code == 422 and "name" in r.get_json()["errors"]
    r = client.post(f"{API}/{topic.id}/transitions", headers=bearer(coord), json={"name": "accept"})
    assert r.status_code == 201
    history = client.get(f"{API}/{topic.id}/transitions", headers=bearer(sgg)).get_json()["items"]
    assert [(h["name"], h["from_state"], h["to_state"]) for h in history] == [
        ("submit", "idea", "screening"),
        ("accept", "screening", "drafting"),
    ]
    assert client.get(f"{API}/{topic.id}", headers=bearer(sgg)).get_json()["status"] == "drafting"

"""The review loop and expressions of interest through the API: the same use cases as the
web page, 409 for state refusals, 422 for bad input, nothing written on a refusal."""

from __future__ import annotations

from sqlalchemy import func, select

import models
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from tests.api.conftest import bearer


def _done(db, runtime, settings, user, topic, **raw):
    req, _ = consortia.request_match(db, RequestContext(user), topic.id, raw)
    db.commit()
    consortia.run_match(db, RequestContext(None), req.id, settings.instance_path)
    db.commit()
    assert req.status == "done", req.error
    return req


def _rows(db, req_id):
    db.rollback()
    return sorted(
        db.execute(
            select(
                models.SuggestedMember.organisation_id,
                models.SuggestedMember.status,
                models.SuggestedMember.rank,
                models.SuggestedMember.is_alternate,
            ).where(models.SuggestedMember.request_id == req_id)
        ).all()
    )


def test_the_loop_through_the_api(client, db, runtime, settings, pool, make_user, token_for):
    coord = make_user("coordinator")
    token, reader = bearer(token_for(coord, "write")), bearer(token_for(coord, "read"))
    req = _done(db, runtime, settings, coord, pool["topic"], alternates=5)
    base = f"/api/v1/match-requests/{req.id}"
    listed = client.get(f"{base}/members", headers=token).get_json()
    seats = listed["members"]
    assert len(seats) == 6 and not listed["finalised"] and len(listed["alternates"]) == 5
    assert {"open", "offers", "invitation_status", "organisation_name"} <= set(seats[0])
    first, second = seats[0], seats[1]
    # lock / unlock; a state refusal is a 409 and changes nothing.
    r = client.post(f"{base}/members/{first['id']}/lock", headers=token)
    assert r.status_code == 200 and r.get_json()["status"] == "locked"
    before = _rows(db, req.id)
    r = client.post(f"{base}/members/{first['id']}/lock", headers=token)
    assert r.status_code == 409 and "cannot be locked" in r.get_json()["detail"]
    assert _rows(db, req.id) == before
    # remove: the seat opens and offers alternates that keep the rules.
    r = client.post(f"{base}/members/{second['id']}/remove", headers=token)
    assert r.status_code == 200 and r.get_json()["status"] == "removed"
    listed = client.get(f"{base}/members", headers=token).get_json()
    removed = next(m for m in listed["members"] if m["id"] == second["id"])
    assert removed["open"] and removed["offers"] and removed["offers"][0]["breaks"] == []
    # swap the open seat with its best offer.
    offer = removed["offers"][0]["organisation_id"]
    r = client.post(
        f"{base}/members/{second['id']}/swap", headers=token, json={"organisation_id": offer}
    )
    assert r.status_code == 200, r.get_json()
    placed = r.get_json()
    assert placed["replaced_id"] == second["id"] and placed["member"]["organisation_id"] == offer
    assert placed["invitation"] is None
    # add from search into an extra seat; bad input is a 422, an unknown one too.
    seated = {m["organisation_id"] for m in listed["members"]} | {offer}
    outsider = next(o for o in pool["orgs"] if o.id not in seated)
    for body in ({}, {"organisation_id": "x"}, {"organisation_id": 0}, {"organisation_id": 10**6}):
        r = client.post(f"{base}/members", headers=token, json=body)
        assert r.status_code == 422, (body, r.get_json())
    r = client.post(f"{base}/members", headers=token, json={"organisation_id": outsider.id})
    assert r.status_code == 201 and r.get_json()["replaced_id"] is None
    r = client.post(f"{base}/members", headers=token, json={"organisation_id": outsider.id})
    assert r.status_code == 409 and "already a member" in r.get_json()["detail"]
    # remove the extra one again, then refill: locked and chosen members are kept.
    extra = client.get(f"{base}/members", headers=token).get_json()["members"]
    extra = next(m for m in extra if m["organisation_id"] == outsider.id)
    assert client.post(f"{base}/members/{extra['id']}/remove", headers=token).status_code == 200
    r = client.post(f"{base}/refill", headers=token)
    assert r.status_code == 200, r.get_json()
    holding = [m for m in r.get_json()["members"] if m["status"] in ("suggested", "locked")]
    assert len(holding) == 6 and any(
        m["id"] == first["id"] and m["status"] == "locked" for m in holding
    )
    # finalise: invitations (nobody to invite in the pool: no_contact); then 409s.
    r = client.post(f"{base}/finalise", headers=token)
    assert r.status_code == 200 and len(r.get_json()["invitations"]) == 6
    assert {i["status"] for i in r.get_json()["invitations"]} == {"no_contact"}
    assert client.post(f"{base}/finalise", headers=token).status_code == 409
    assert client.post(f"{base}/refill", headers=token).status_code == 409
    assert client.post(f"{base}/members/{first['id']}/unlock", headers=token).status_code == 409
    # After finalising a seat with nobody to invite is open: swapping into it invites.
    listed = client.get(f"{base}/members", headers=token).get_json()
    seat = next(m for m in listed["members"] if m["open"] and m["offers"])
    assert seat["invitation_status"] == "no_contact"
    newcomer = seat["offers"][0]["organisation_id"]
    r = client.post(
        f"{base}/members/{seat['id']}/swap", headers=token, json={"organisation_id": newcomer}
    )
    assert r.status_code == 200 and r.get_json()["invitation"]["status"] in ("sent", "no_contact")
    # A read token may only read.
    assert client.get(f"{base}/members", headers=reader).status_code == 200
    assert client.post(f"{base}/refill", headers=reader).status_code == 403


def test_interests_through_the_api(client, db, pool, make_user, token_for, world):
    topic = pool["topic"]
    topic.status = "published"
    db.commit()
    nordic = pool["by_name"]["Nordic Vax"]
    rep = make_user(org_id=nordic.id)
    other = make_user(org_id=pool["by_name"]["Tau Biotech"].id)
    sgg = make_user(sgg_id=world["sgg_a"].id)
    mine, theirs = bearer(token_for(rep, "write")), bearer(token_for(other, "write"))
    sgg_token, read_only = bearer(token_for(sgg)), bearer(token_for(rep, "read"))
    url = f"/api/v1/topics/{topic.id}/interests"

    def count():
        db.rollback()
        return db.scalar(select(func.count()).select_from(models.TopicInterest))

    for body, status in (
        ({"organisation_id": nordic.id, "note": "nul \u0000 byte"}, 400),  # the edge guard
        ({"organisation_id": nordic.id, "note": "x" * 1001}, 422),
        ({"organisation_id": nordic.id, "note": 5}, 422),
        ({"note": "no organisation"}, 422),
    ):
        r = client.post(url, headers=mine, json=body)
        assert r.status_code == status and r.mimetype == "application/problem+json", body
    assert count() == 0
    r = client.post(url, headers=theirs, json={"organisation_id": nordic.id, "note": "hijack"})
    assert r.status_code == 403 and count() == 0
    r = client.post(url, headers=mine, json={"organisation_id": nordic.id, "note": "Cohorts"})
    assert r.status_code == 201
    created = r.get_json()
    assert (created["organisation_name"], created["country"], created["note"]) == (
        "Nordic Vax", "SE", "Cohorts",
    )  # fmt: skip
    r = client.post(url, headers=mine, json={"organisation_id": nordic.id, "note": "again"})
    assert r.status_code == 409
    # Who sees it: the topic's SGG and the organisation, not another partner.
    assert [i["id"] for i in client.get(url, headers=sgg_token).get_json()["items"]] == [
        created["id"]
    ]
    assert client.get(url, headers=theirs).get_json()["items"] == []
    item = f"/api/v1/interests/{created['id']}"
    assert client.get(item, headers=theirs).status_code == 404
    assert client.patch(item, headers=theirs, json={"note": "mine"}).status_code == 404
    r = client.patch(item, headers=mine, json={"note": "bad \u0000"})
    assert r.status_code == 400 and "NUL" in r.get_json()["detail"]  # the edge guard
    r = client.patch(item, headers=mine, json={"note": "x" * 1001})
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = client.patch(item, headers=mine, json={"note": "Cohorts and assays"})
    assert r.status_code == 200 and r.get_json()["note"] == "Cohorts and assays"
    db.rollback()  # a fresh snapshot before writing (SQLite)
    topic.status = "stage1_closed"
    db.commit()
    assert client.patch(item, headers=mine, json={"note": "late"}).status_code == 409
    assert client.delete(item, headers=read_only).status_code == 403
    r = client.delete(item, headers=mine)
    assert r.status_code == 204 and count() == 0
    assert client.delete(item, headers=mine).status_code == 404

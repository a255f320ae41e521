"""The invitation link, the invitee's page, answers, closing and the API, through HTTP."""

from __future__ import annotations

import re

from sqlalchemy import select

import models
from services.accounts import api_tokens
from services.consortia import invitations
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.support import csrf_from, login, post_form

URL = "http://testserver"
LINK = re.compile(r"/invitations/([A-Za-z0-9_\-]+)")


def _finalised(db, settings, pool, coord, make_user):
    req, _ = consortia.request_match(db, RequestContext(coord), pool["topic"].id, {})
    db.commit()
    consortia.run_match(db, RequestContext(None, public_url=URL), req.id, settings.instance_path)
    db.commit()
    members = consortium_review.active(req)
    db.add(
        models.Contact(
            organisation_id=members[0].organisation_id, name="Ann", email="ann@example.org"
        )
    )
    rep = make_user("viewer", org_id=members[1].organisation_id)
    db.commit()
    invs = invitations.finalise(db, RequestContext(coord, public_url=URL), req.id)
    db.commit()
    mail = db.scalar(
        select(models.OutboxMessage).where(
            models.OutboxMessage.recipient_email == "ann@example.org"
        )
    )
    return req, {i.member_id: i for i in invs}, members, rep, LINK.search(mail.body_text).group(1)


def test_link_account_answer_close_and_member_view(app, client, db, pool, make_user, settings):
    coord = make_user("coordinator")
    req, invs, members, _rep, raw = _finalised(db, settings, pool, coord, make_user)
    inv = invs[members[0].id]
    assert client.get("/invitations/" + raw[:-2] + "zz").status_code == 404
    page = client.get(f"/invitations/{raw}")
    assert page.status_code == 200 and "ann@example.org" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    bad = client.post(
        f"/invitations/{raw}",
        data={
            "name": "Ann\x00",
            "password": "a long password",
            "confirm": "a long password",
            "csrf_token": csrf_from(html),
        },
    )
    assert bad.status_code == 422 and "NUL" in bad.get_data(as_text=True)  # the edge guard
    r = client.post(
        f"/invitations/{raw}",
        data={
            "name": "Ann Smith",
            "password": "a long password",
            "confirm": "a long password",
            "csrf_token": csrf_from(html),
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/consortia/invitations/{inv.id}"
    )
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Why " in text and "relative to the best candidate" not in text
    assert coord.email in text and pool["topic"].title in text
    inv_url = f"/consortia/invitations/{inv.id}"
    r = post_form(client, inv_url + "/decline", {"reason": "bad\x00"}, page=inv_url)
    assert r.status_code == 422 and "NUL byte" in r.get_data(as_text=True)  # the edge guard
    db.rollback()
    assert db.get(models.Invitation, inv.id).status == "sent"
    r = post_form(client, inv_url + "/decline", {"reason": "Too busy."}, page=inv_url)
    assert r.status_code == 302
    # Signed in, the link leads straight to the invitation; reused to create an account: no.
    assert client.get(f"/invitations/{raw}").headers["Location"].endswith(inv_url)
    r = post_form(client, inv_url + "/accept", {}, page=inv_url)  # the answer changes
    db.rollback()
    assert db.get(models.Invitation, inv.id).status == "accepted"
    member_page = client.get(f"/consortia/{req.id}").get_data(as_text=True)
    assert "Who has accepted so far" in member_page and "score" not in member_page.lower()
    assert "alternate" not in member_page.lower()
    other = app.test_client()
    r = other.get(f"/invitations/{raw}")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    # The coordinator closes; the answer is then final.
    login(other, coord.email, PASSWORD)
    location = f"/consortia/{req.id}"
    assert "Close the consortium" in other.get(location).get_data(as_text=True)
    assert post_form(other, location + "/close", {}, page=location).status_code == 302
    post_form(client, inv_url + "/decline", {"reason": "Changed my mind."}, page=inv_url)
    db.rollback()
    assert db.get(models.Invitation, inv.id).status == "accepted"
    assert "answers are final" in client.get(inv_url).get_data(as_text=True)


def test_invitations_api(app, client, db, pool, make_user, settings):
    coord = make_user("coordinator")
    _req, invs, members, rep, _raw = _finalised(db, settings, pool, coord, make_user)
    _t, raw_token = api_tokens.create_token(db, RequestContext(rep), name="t", scope="write")
    db.commit()
    auth = {"Authorization": f"Bearer {raw_token}"}
    mine = client.get("/api/v1/invitations", headers=auth).get_json()
    inv_id = invs[members[1].id].id
    assert [i["id"] for i in mine["items"]] == [inv_id]
    item = client.get(f"/api/v1/invitations/{inv_id}", headers=auth).get_json()
    assert item["why"] and item["coordinator"]["email"] == coord.email
    assert item["invitation"]["expires_at"]
    for body in ({}, {"reason": ""}, {"reason": "x" * 2001}):
        r = client.post(f"/api/v1/invitations/{inv_id}/decline", headers=auth, json=body)
        assert r.status_code == 422, r.get_json()
    r = client.post(f"/api/v1/invitations/{inv_id}/decline", headers=auth, json={"reason": "a\x00"})
    assert r.status_code == 400  # the edge guard: a NUL in a JSON body
    r = client.post(f"/api/v1/invitations/{inv_id}/decline", headers=auth, json={"reason": "No."})
    assert r.status_code == 200 and r.get_json()["status"] == "declined"
    r = client.post(f"/api/v1/invitations/{inv_id}/accept", headers=auth)
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    r = client.post(f"/api/v1/invitations/{inv_id}/accept", headers=auth)
    assert r.status_code == 409
    other = invs[members[0].id].id
    assert client.get(f"/api/v1/invitations/{other}", headers=auth).status_code == 404

"""The API of contacts and join requests: what each role gets, bad input, the documented
schema."""

from __future__ import annotations

from sqlalchemy import select

from models import Contact
from tests.api.conftest import bearer


def test_contacts_list_add_remove_and_refusals(client, db, world, make_user, token_for):
    uni = world["uni"]
    member = token_for(make_user("viewer", org_id=uni.id, org_role="applicant", password=None),
                       "write")  # fmt: skip
    stranger = token_for(make_user("viewer", password=None), "write")
    url = f"/api/v1/organisations/{uni.id}/contacts"
    created = client.post(url, headers=bearer(member),
                          json={"name": "Ann", "email": "Ann@X.org", "function": "PI"})  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["email"] == "ann@x.org" and created.json["source"] == "manual"
    assert client.post(url, headers=bearer(member), json={"name": "A", "email": "ann@x.org"}
                       ).status_code == 409  # fmt: skip
    for body in ({"name": "N\x00", "email": "n@x.org"}, {"name": "N", "email": "\ud800@x.org"},
                 {"name": "N", "email": "nope"}, {"name": "N"}):  # fmt: skip
        bad = client.post(url, headers=bearer(member), json=body)
        assert bad.status_code in (400, 422), (body, bad.status_code)
    assert [c["name"] for c in client.get(url, headers=bearer(member)).json["items"]] == ["Ann"]
    assert client.get(url, headers=bearer(stranger)).status_code == 403
    contact_id = created.json["id"]
    assert client.delete(f"/api/v1/contacts/{contact_id}", headers=bearer(stranger)
                         ).status_code == 404  # fmt: skip
    assert client.delete(f"/api/v1/contacts/{contact_id}", headers=bearer(member)
                         ).status_code == 204  # fmt: skip
    db.rollback()
    assert db.scalar(select(Contact)) is None


def test_join_requests_through_the_api(client, db, world, make_user, token_for):
    uni = world["uni"]
    rep = token_for(make_user("viewer", email="rep@uni.eu", org_id=uni.id, password=None),
                    "write")  # fmt: skip
    person = token_for(make_user("viewer", email="new@uni.eu", password=None), "write")
    asked = client.post(f"/api/v1/organisations/{uni.id}/join-requests", headers=bearer(person),
                        json={"note": "Hello"})  # fmt: skip
    assert asked.status_code == 201 and asked.json["status"] == "pending"
    assert client.get("/api/v1/join-requests", headers=bearer(person)).json["items"] == []
    pending = client.get("/api/v1/join-requests", headers=bearer(rep)).json["items"]
    assert [p["id"] for p in pending] == [asked.json["id"]]
    assert "matches 1 person" in pending[0]["evidence"]
    url = f"/api/v1/join-requests/{asked.json['id']}"
    assert client.post(url + "/approve", headers=bearer(person), json={}).status_code == 403
    assert client.post(url + "/refuse", headers=bearer(rep), json={"reason": ""}
                       ).status_code == 422  # fmt: skip
    approved = client.post(url + "/approve", headers=bearer(rep), json={"role": "partner_rep"})
    assert approved.status_code == 200 and approved.json["role"] == "partner_rep"
    assert client.post(url + "/refuse", headers=bearer(rep), json={"reason": "x"}
                       ).status_code == 409  # fmt: skip


def test_the_openapi_document_names_the_new_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/organisations/{org_id}/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/organisations/{org_id}/join-requests",
        "/api/v1/join-requests",
        "/api/v1/join-requests/{request_id}/approve",
        "/api/v1/join-requests/{request_id}/refuse",
    ):
        assert path in paths, path

"""People pages: contacts on an organisation's page (add, edit, remove, CSV), who sees their
addresses, sign-up and verification, join requests and their decision."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from models import Contact, JoinRequest, OutboxMessage, User
from services.core.context import RequestContext
from services.organisations import contacts
from tests.conftest import PASSWORD
from tests.support import csrf_from, login, post_form

SECRET = "hidden.person@uni-testing.eu"
TOKEN = re.compile(r'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"')


def _with_contact(db, world) -> Contact:
    contact = contacts.add_contact(
        db, RequestContext(None), world["uni"].id, name="Hidden Person", email=SECRET
    )
    db.commit()
    return contact


def test_contact_addresses_show_only_to_who_may_see_them(app, db, world, make_user):
    contact = _with_contact(db, world)
    uni = world["uni"]
    url = f"/organisations/{uni.id}"
    seeing = [
        make_user("coordinator"),
        make_user("admin"),
        make_user("viewer", org_id=uni.id, org_role="applicant"),
        make_user("viewer", org_id=uni.id, org_role="partner_rep"),
    ]
    blind = [
        make_user("viewer"),
        make_user("viewer", org_id=world["pharma"].id),
        make_user("viewer", sgg_id=world["sgg_a"].id),
    ]
    for user in seeing + blind:
        client = app.test_client()
        login(client, user.email, PASSWORD)
        pages = [client.get(url).get_data(as_text=True)]
        pages.append(client.get("/organisations/join-requests").get_data(as_text=True))
        pages.append(client.get(f"/join?q={uni.legal_name}").get_data(as_text=True))
        shown = any(SECRET in page for page in pages)
        assert shown == (user in seeing), user.email
        edit = client.get(f"/organisations/contacts/{contact.id}/edit")
        assert edit.status_code == (200 if user in seeing else 404), user.email
        if user in blind:
            assert "shown to its own people" in pages[0]


def test_a_member_adds_edits_and_removes_contacts(client, db, world, make_user):
    uni = world["uni"]
    member = make_user("viewer", org_id=uni.id, org_role="applicant")
    login(client, member.email, PASSWORD)
    page = f"/organisations/{uni.id}"
    add = f"/organisations/{uni.id}/contacts/new"
    response = post_form(client, add, {"name": "Ann Example", "email": "Ann@X.org",
                                       "function": "PI"}, page=page)  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("#people")
    again = post_form(client, add, {"name": "Ann", "email": "ann@x.org"}, page=page)
    assert again.status_code == 409 and "Already a contact" in again.get_data(as_text=True)
    nul = post_form(client, add, {"name": "N\x00", "email": "n@x.org"}, page=page)
    assert nul.status_code == 422 and "NUL byte" in nul.get_data(as_text=True)  # edge guard
    contact = db.scalar(select(Contact))
    edit = f"/organisations/contacts/{contact.id}/edit"
    response = post_form(client, edit, {"name": "Ann Edited", "email": "ann@x.org"})
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(select(Contact.name)) == "Ann Edited"
    response = post_form(client, f"/organisations/contacts/{contact.id}/remove", {}, page=page)
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(select(Contact)) is None
    other = world["pharma"]
    refused = post_form(client, f"/organisations/{other.id}/contacts/new",
                        {"name": "X", "email": "x@x.org"}, page=page)  # fmt: skip
    assert refused.status_code == 403


def test_csv_upload_reports_bad_rows_and_imports_good_files(client, db, world, make_user):
    uni = world["uni"]
    login(client, make_user("coordinator").email, PASSWORD)
    url = f"/organisations/{uni.id}/contacts/import"

    def upload(content: bytes):
        token = csrf_from(client.get(url).get_data(as_text=True))
        data = {"csrf_token": token, "file": (io.BytesIO(content), "people.csv")}
        return client.post(url, data=data, content_type="multipart/form-data")

    bad = upload(b"name;email\nGood;good@x.org\n;nobody@x.org\nBad;bad\n")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "2 rows are not valid; nothing was imported." in text
    assert re.search(r">3</td><td>A name is required", text) and ">4</td>" in text
    db.rollback()
    assert db.scalar(select(Contact)) is None
    good = upload("\ufeffname,email,function\nZoë,zoe@x.org,PI\n".encode())
    assert good.status_code == 302
    db.rollback()
    assert db.scalar(select(Contact.name)) == "Zoë"
    assert upload(b"\xff\xfe\x00\x00").status_code == 422


def test_sign_up_verify_and_join_through_the_pages(app, db, world, make_user):
    uni = world["uni"]
    rep = make_user("viewer", email="rep@uni-testing.eu", org_id=uni.id)
    client = app.test_client()
    data = {"name": "Carla Nueva", "email": "carla@uni-testing.eu", "password": PASSWORD,
            "confirm": PASSWORD}  # fmt: skip
    sent = post_form(client, "/auth/signup", data)
    assert sent.status_code == 200 and "Check your inbox" in sent.get_data(as_text=True)
    existing = post_form(client, "/auth/signup", {**data, "email": rep.email})

    def answer(response) -> str:
        text = response.get_data(as_text=True).replace(rep.email, "carla@uni-testing.eu")
        return TOKEN.sub("", text)

    assert answer(existing) == answer(sent), "an existing address gets the very same page"
    db.rollback()
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.event == "account.verify"))
    link = re.search(r"http://testserver(/auth/verify/\S+)", mail.body_text).group(1)
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    db.rollback()
    assert not db.scalar(select(User).where(User.email == "carla@uni-testing.eu")).is_active
    response = post_form(client, link, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/join")
    assert client.get(link).status_code == 409  # used
    found = client.get("/join?pic=" + uni.pic).get_data(as_text=True)
    assert uni.legal_name in found and f"/organisations/{uni.id}/join" in found
    asked = post_form(client, f"/organisations/{uni.id}/join", {"note": "I run the lab."})
    assert asked.status_code == 302
    assert "waiting for an answer" in client.get("/join").get_data(as_text=True)

    rep_client = app.test_client()
    login(rep_client, rep.email, PASSWORD)
    page = rep_client.get("/organisations/join-requests").get_data(as_text=True)
    assert "Carla Nueva" in page and "I run the lab." in page
    assert "matches 1 person already known" in page
    db.rollback()
    jr = db.scalar(select(JoinRequest))
    refused_self = post_form(client, f"/organisations/join-requests/{jr.id}/approve",
                             {"role": "partner_rep"}, page="/join")  # fmt: skip
    assert refused_self.status_code == 403
    approved = post_form(rep_client, f"/organisations/join-requests/{jr.id}/approve",
                         {"role": "applicant"}, page="/organisations/join-requests")  # fmt: skip
    assert approved.status_code == 302
    again = post_form(rep_client, f"/organisations/join-requests/{jr.id}/refuse",
                      {"reason": "Too late"}, page="/organisations/join-requests")  # fmt: skip
    assert again.status_code == 409  # already decided: the page with the reason, no redirect
    db.rollback()
    assert db.scalar(select(JoinRequest.status)) == "approved"
    assert "carla@uni-testing.eu" in client.get(f"/organisations/{uni.id}").get_data(as_text=True)


def test_bad_links_and_sign_up_input(client, db):
    assert client.get("/auth/verify/not-a-token").status_code == 404
    data = {"name": "X", "email": "x\x00@x.org", "password": "short", "confirm": "other"}
    response = post_form(client, "/auth/signup", data)
    assert response.status_code == 422  # the edge guard refuses the NUL byte
    db.rollback()
    assert db.scalar(select(User)) is None

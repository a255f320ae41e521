"""The consortia pages: request, progress, review actions with CSRF, invitations."""

from __future__ import annotations

import re

from sqlalchemy import select

import models
from services.consortia import review as consortium_review
from tests.conftest import PASSWORD
from tests.support import csrf_from, login, post_form


def _request(client, db, pool):
    topic = pool["topic"]
    page = client.get(f"/consortia/new?topic_id={topic.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="6"' in html  # size pre-filled from the topic profile
    data = {
        "size": "6", "min_countries": "4", "min_sme_share": "0.2", "sector_mode": "hard",
        "industry_partners": "exclude", "alternates": "20", "seats_academia": "2",
        "seats_sme": "1", "csrf_token": csrf_from(html),
    }  # fmt: skip
    r = client.post(f"/consortia/new?topic_id={topic.id}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    client.application.extensions["partnering.runtime"].dispatcher.wait_idle()
    db.rollback()
    req = db.scalars(select(models.MatchRequest)).one()
    assert req.status == "done", req.error
    return req, r.headers["Location"]


def test_request_progress_and_review(client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    progress = client.get(f"/consortia/{req.id}/progress")
    assert progress.headers.get("HX-Refresh") == "true"
    page = client.get(location).get_data(as_text=True)
    assert "Eligibility checks" in page and "Sectors against targets" in page
    assert "<svg" in page and "fills the" in page
    assert "all checks met" in page
    assert client.get("/consortia/").status_code == 200
    # Without the CSRF token an action is refused and changes nothing.
    member = consortium_review.active(req)[0]
    r = client.post(f"/consortia/{req.id}/members/{member.id}/remove")
    assert r.status_code == 400
    db.refresh(member)
    assert member.status == "suggested"


def test_swap_recomputes_checks(client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    # Replace an academic member by a company found by search: a sector target breaks.
    active = consortium_review.active(req)
    academic = next(m for m in active if m.organisation.sector == "academia")
    # A company the engine did not seat (which one it seats depends on ties, i.e. on ids).
    seated = {m.organisation_id for m in active}
    company = next(n for n in ("Big Pharma FR", "Swiss Pharma", "US Vaccines Inc")
                   if pool["by_name"][n].id not in seated)  # fmt: skip
    page = client.get(location, query_string={"q": company}).get_data(as_text=True)
    assert company in page
    big = pool["by_name"][company]
    r = client.post(
        f"/consortia/{req.id}/add",
        data={"organisation_id": big.id, "replace": academic.id, "csrf_token": csrf_from(page)},
    )
    assert r.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "Member swapped" in page
    assert re.search(r"Not met</span> Sector target: academic: 1 of 2 seats", page), page
    history = page[page.index('id="history-h"') :]  # in words, with actor and time
    assert "You asked for consortium suggestions" in history
    assert "The system suggested a consortium" in history
    assert f"You gave the seat of {academic.organisation.display_name} to {company}" in history
    assert "match." not in history
    db.rollback()  # end the test's read snapshot
    assert db.get(models.SuggestedMember, academic.id).status == "removed"


def test_other_sgg_member_gets_404(app, client, db, pool, make_user, world):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    client = app.test_client()
    outsider = make_user("viewer", sgg_id=world["sgg_b"].id)
    login(client, outsider.email, PASSWORD)
    assert client.get(location).status_code == 404
    assert client.get(f"/consortia/{req.id}/progress").status_code == 404
    assert client.get(f"/consortia/new?topic_id={pool['topic'].id}").status_code == 404
    assert client.get(f"/consortia/compare?a={req.id}&b={req.id}").status_code == 404
    assert f'href="/consortia/{req.id}"' not in client.get("/consortia/").get_data(as_text=True)


def test_invitation_accept_decline_and_alternate(app, client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    members = consortium_review.active(req)
    yes_user = make_user("viewer", org_id=members[0].organisation_id)
    no_user = make_user("viewer", org_id=members[1].organisation_id, org_role="applicant")
    r = post_form(client, f"/consortia/{req.id}/finalise", {}, page=location)
    assert r.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "nobody to invite" in page
    db.rollback()  # end the test's read snapshot
    invs = {i.organisation_id: i for i in db.scalars(select(models.Invitation))}
    client = app.test_client()

    login(client, yes_user.email, PASSWORD)
    mine = client.get("/consortia/invitations").get_data(as_text=True)
    assert pool["topic"].title in mine
    inv_url = f"/consortia/invitations/{invs[members[0].organisation_id].id}"
    # Someone else's invitation is invisible.
    assert (
        client.get(f"/consortia/invitations/{invs[members[1].organisation_id].id}").status_code
        == 404
    )
    r = post_form(client, inv_url + "/accept", {}, page=inv_url)
    assert r.status_code == 302
    assert "accepted" in client.get(inv_url).get_data(as_text=True)
    client = app.test_client()

    login(client, no_user.email, PASSWORD)
    no_url = f"/consortia/invitations/{invs[members[1].organisation_id].id}"
    r = post_form(client, no_url + "/decline", {"reason": "No time."}, page=no_url)
    assert r.status_code == 302
    client = app.test_client()

    db.rollback()
    kinds = {m.event for m in db.scalars(select(models.OutboxMessage))}
    assert {"consortium.invitation", "invitation.accepted", "invitation.declined"} <= kinds
    login(client, coord.email, PASSWORD)
    page = client.get(location).get_data(as_text=True)
    match = re.search(r"Invite the next alternate: ([^<]+)</button>", page)
    assert match, page
    form = re.search(
        r'action="(/consortia/\d+/members/\d+/invite-alternate)".*?'
        r'name="organisation_id" value="(\d+)"',
        page,
        re.S,
    )
    r = client.post(
        form.group(1), data={"organisation_id": form.group(2), "csrf_token": csrf_from(page)}
    )
    assert r.status_code == 302
    # The alternate has no user of its own: the flash says so instead of "invited".
    assert re.search(
        r"takes the seat of [^<]+, but it has nobody to invite yet: add a contact for it\.",
        client.get(location).get_data(as_text=True),
    )
    db.rollback()
    assert db.scalar(
        select(models.Invitation).where(models.Invitation.organisation_id == int(form.group(2)))
    )


def test_admin_rebuilds_index_from_the_page(app, runtime, client, db, pool, make_user):
    admin = make_user("admin")
    login(client, admin.email, PASSWORD)
    r = post_form(client, "/consortia/expertise-index", {})
    assert r.status_code == 302
    runtime.dispatcher.wait_idle()
    versions = db.scalars(
        select(models.ExpertiseIndexVersion).order_by(models.ExpertiseIndexVersion.id)
    ).all()
    assert [v.status for v in versions] == ["ready", "ready"]
    viewer = make_user("viewer")
    client = app.test_client()
    login(client, viewer.email, PASSWORD)
    assert client.get("/consortia/expertise-index").status_code == 403


def _seated(db, req):
    db.rollback()  # a fresh snapshot of what the requests committed
    return sorted(
        (m.organisation_id, m.status)
        for m in db.scalars(
            select(models.SuggestedMember).where(
                models.SuggestedMember.request_id == req.id,
                models.SuggestedMember.is_alternate.is_(False),
            )
        )
    )


def _flashed(client, location):
    return re.findall(
        r'class="flash[^"]*"[^>]*>(.*?)<', client.get(location).get_data(as_text=True)
    )


def test_add_from_search_and_bad_input_change_nothing(client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    # Swiss Pharma has no row at all (an excluded industry partner): this answered 500.
    page = client.get(f"{location}?q=swiss").get_data(as_text=True)
    swiss = pool["by_name"]["Swiss Pharma"]
    assert f'name="organisation_id" value="{swiss.id}"' in page
    assert client.get(f"{location}?q=sw%00iss").status_code == 400  # NUL: refused at the edge
    token = csrf_from(page)
    r = client.post(f"/consortia/{req.id}/add", data={"organisation_id": swiss.id, "replace": "",
                                                       "csrf_token": token})  # fmt: skip
    assert r.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "Organisation added: Swiss Pharma takes an extra seat" in page
    assert re.search(r"Not met</span> No excluded organisation[^:]*: Swiss Pharma", page)
    before = _seated(db, req)
    assert (swiss.id, "suggested") in before
    other_req = models.MatchRequest(topic_id=req.topic_id, input_hash="x", params={}, status="done")
    db.add(other_req)
    db.flush()
    foreign = models.SuggestedMember(
        request_id=other_req.id, organisation_id=swiss.id, rank=1, score=0.0
    )
    db.add(foreign)
    db.commit()
    for data, message, status in (
        ({"organisation_id": "abc"}, "Organisation: Not a valid integer value", 422),
        ({"organisation_id": swiss.id, "replace": "x"}, "In place of: Not a valid integer", 422),
        ({}, "Organisation: This field is required", 422),
        ({"organisation_id": swiss.id}, "Swiss Pharma is already a member.", 409),
    ):
        r = client.post(f"/consortia/{req.id}/add", data={**data, "csrf_token": token})
        assert r.status_code == status, data  # the page with the reason, not a redirect
        assert message in r.get_data(as_text=True), (data, message)
        assert _seated(db, req) == before
    r = client.post(
        f"/consortia/{req.id}/add",
        data={"organisation_id": swiss.id, "replace": foreign.id, "csrf_token": token},
    )
    assert r.status_code == 404  # another request's member: not found here
    assert (
        client.post(f"/consortia/{req.id}/add", data={"organisation_id": swiss.id}).status_code
        == 400
    )
    assert _seated(db, req) == before


def test_after_finalising_a_declined_seat_is_refilled(app, client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    members = consortium_review.active(req)
    declining = members[0]
    decliner = make_user("viewer", org_id=declining.organisation_id)
    assert post_form(client, f"/consortia/{req.id}/finalise", {}, page=location).status_code == 302
    assert any("invitations sent to 1 of 6 members" in f for f in _flashed(client, location))
    r = post_form(client, f"/consortia/{req.id}/members/{members[1].id}/lock", {}, page=location)
    assert r.status_code == 409  # the consortium page with the reason
    assert "finalised: a member cannot be locked" in r.get_data(as_text=True)
    db.rollback()
    inv = db.scalar(select(models.Invitation).where(models.Invitation.member_id == declining.id))
    other = app.test_client()
    login(other, decliner.email, PASSWORD)
    url = f"/consortia/invitations/{inv.id}"
    assert post_form(other, url + "/decline", {"reason": "No time."}, page=url).status_code == 302
    page = client.get(f"{location}?q=swiss").get_data(as_text=True)
    assert "This seat is open." in page and "No alternate left" not in page
    assert "Add and invite" in page
    swiss = pool["by_name"]["Swiss Pharma"]
    r = client.post(
        f"/consortia/{req.id}/add",
        data={"organisation_id": swiss.id, "replace": declining.id, "csrf_token": csrf_from(page)},
    )
    assert r.status_code == 302
    flashes = _flashed(client, location)
    assert any(
        f"Swiss Pharma takes the seat of {declining.organisation.display_name}, but it has "
        "nobody to invite yet: add a contact for it." in f
        for f in flashes
    ), flashes
    db.rollback()
    row = db.scalar(
        select(models.SuggestedMember).where(
            models.SuggestedMember.request_id == req.id,
            models.SuggestedMember.organisation_id == swiss.id,
        )
    )
    assert row.status == "invited" and row.rank == declining.rank
    # Running again after finalising answers with a page, never a 500.
    r = post_form(client, f"/consortia/{req.id}/rerun", {}, page=location)
    assert r.status_code == 302


def test_a_removed_seat_offers_its_alternates(client, db, pool, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    req, location = _request(client, db, pool)
    member = consortium_review.active(req)[2]
    r = post_form(client, f"/consortia/{req.id}/members/{member.id}/remove", {}, page=location)
    assert r.status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "Member removed; the checks are updated." in page
    offer = re.search(
        rf'action="(/consortia/{req.id}/members/{member.id}/swap)" class="inline">'
        r'<input[^>]*csrf_token[^>]*><input type="hidden" name="organisation_id" value="(\d+)">'
        r"<button type=\"submit\">Put the next alternate in this seat: ([^<]+)</button>",
        page,
    )
    assert "This seat is open." in page and offer, page
    r = client.post(
        offer.group(1), data={"organisation_id": offer.group(2), "csrf_token": csrf_from(page)}
    )
    assert r.status_code == 302
    page = client.get(location).get_data(as_text=True)
    name = member.organisation.display_name
    assert f"Member swapped: {offer.group(3)} takes the seat of {name}" in page
    assert "This seat is open." not in page and "all checks met" in page

"""Call topics through the web: visibility, lifecycle, editing, review, public pages."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from models import Call, Topic, TopicTransition
from tests.conftest import PASSWORD
from tests.support import csrf_from, login, post_form
from tests.topic_support import (
    ROLES,
    expected_visible,
    make_call,
    make_people,
    make_reviewer,
    make_topic,
)
from tests.xlsx_reader import xlsx_strings


def _signed_in(app, user):
    client = app.test_client()
    login(client, user.email, PASSWORD)
    return client


def test_visibility_per_role_on_lists_pages_search_and_exports(app, db, world, make_user):
    people = make_people(db, world, make_user)
    call = make_call(db, world)
    topics = {
        s: make_topic(db, world, s, title=f"Kiwi {s} topic", call=call, keywords="kiwi")
        for s in ("idea", "drafting", "consultation", "published")
    }
    for role in ROLES:
        client = _signed_in(app, people[role])
        listing = client.get("/topics/?q=kiwi").get_data(as_text=True)
        exported = client.get("/topics/export.csv?q=kiwi").get_data(as_text=True)
        titles = {row[2] for row in list(csv.reader(io.StringIO(exported)))[1:]}
        xlsx = xlsx_strings(client.get("/topics/export.xlsx?status=drafting").data)
        for state, topic in topics.items():
            visible = expected_visible(role, state)
            assert (topic.title in listing) == visible, (role, state)
            assert (topic.title in titles) == visible, (role, state)
            page = client.get(f"/topics/{topic.id}")
            assert page.status_code == (200 if visible else 404), (role, state)
        assert ("Kiwi drafting topic" in xlsx) == expected_visible(role, "drafting"), role


def test_public_pages_show_published_topics_only(client, db, world):
    call = make_call(db, world)
    published = make_topic(db, world, "stage1_open", title="Public kiwi", call=call)
    draft = make_topic(db, world, "drafting", title="Hidden kiwi", call=call)
    assert client.get(f"/topics/{published.id}").status_code == 302  # the signed-in page
    page = client.get(f"/public/topics/{published.id}")
    assert page.status_code == 200 and "Public kiwi" in page.get_data(as_text=True)
    assert "days left" in page.get_data(as_text=True)
    assert client.get(f"/public/topics/{draft.id}").status_code == 404
    calls_page = client.get("/public/calls/").get_data(as_text=True)
    assert call.identifier in calls_page
    call_page = client.get(f"/public/calls/{call.id}").get_data(as_text=True)
    assert "Public kiwi" in call_page and "Hidden kiwi" not in call_page


def test_refused_transition_is_409_with_the_page_changes_nothing_and_409_in_json(
    app, db, world, make_user
):
    member = make_user(sgg_id=world["sgg_a"].id)
    topic = make_topic(db, world, "idea")
    client = _signed_in(app, member)
    html = client.get(f"/topics/{topic.id}").get_data(as_text=True)
    token = csrf_from(html)
    url = f"/topics/{topic.id}/transition/publish"
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 409  # the topic page with the reason, not a redirect
    assert "Cannot publish in a call: the topic is Idea" in response.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "the topic is Idea" in response.get_json()["detail"]
    response = client.post(
        f"/topics/{topic.id}/transition/reject",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert client.post(f"/topics/{topic.id}/transition/submit", data={}).status_code == 400
    db.rollback()
    assert db.get(Topic, topic.id).status == "idea"
    assert db.scalars(select(TopicTransition)).first() is None
    response = client.post(
        f"/topics/{topic.id}/transition/submit",
        data={"csrf_token": token, "comment": "ready"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["status"] == "screening"
    db.rollback()
    assert db.get(Topic, topic.id).status == "screening"
    page = client.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "ready" in page and "Screening" in page


def _edit_data(html: str, **changes) -> dict:
    data = {
        "csrf_token": csrf_from(html),
        "title": "Edited",
        "challenge": "c",
        "scope": "s",
        "version": _hidden(html, "version"),
    }
    data.update(changes)
    return data


def _hidden(html: str, name: str) -> str:
    import re

    match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def test_stale_edit_is_refused_and_the_text_is_kept(app, db, world, make_user):
    alice = make_user(sgg_id=world["sgg_a"].id)
    bob = make_user("coordinator")
    topic = make_topic(db, world, "drafting", title="Original")
    a, b = _signed_in(app, alice), _signed_in(app, bob)
    form_a = a.get(f"/topics/{topic.id}/edit").get_data(as_text=True)
    form_b = b.get(f"/topics/{topic.id}/edit").get_data(as_text=True)
    saved = b.post(f"/topics/{topic.id}/edit", data=_edit_data(form_b, title="Bob's title"))
    assert saved.status_code == 302
    stale = a.post(
        f"/topics/{topic.id}/edit",
        data=_edit_data(form_a, title="Alice's title", scope="Alice's precious scope"),
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else saved this topic" in body
    assert "Alice&#39;s precious scope" in body and "Alice&#39;s title" in body
    db.rollback()
    assert db.get(Topic, topic.id).title == "Bob's title"
    # A deliberate second save (after reading the warning) goes through.
    again = a.post(
        f"/topics/{topic.id}/edit", data=_edit_data(body, title="Alice's title", scope="x")
    )
    assert again.status_code == 302
    diff = a.get(f"/topics/{topic.id}/diff?a=1&b=2").get_data(as_text=True)
    # Word by word: Bob's save (revision 1) against Alice's deliberate one (revision 2).
    assert '[removed: </span>Bob<span class="visually-hidden">]</span></del>' in diff
    assert "</ins>&#39;s title</p>" in diff


def test_topic_form_shows_field_errors_and_saves_nothing(app, db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    client = _signed_in(app, member)
    response = post_form(
        client,
        "/topics/new",
        {
            "sgg_id": world["sgg_a"].id,
            "title": "New idea",
            "target_sme": "lots",
            "eu_contribution": "12abc",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "sme: give a number of members" in body or "Not a valid decimal" in body
    assert db.scalars(select(Topic)).first() is None
    response = post_form(
        client,
        "/topics/new",
        {
            "sgg_id": world["sgg_a"].id,
            "title": "New idea",
            "target_sme": "20%",
            "target_academia": "6",
            "industry_partner_ids": [world["pharma"].id],
            "eu_contribution": "1234567.89",
        },
    )
    assert response.status_code == 302
    db.rollback()
    topic = db.scalars(select(Topic)).one()
    assert topic.sector_targets == {"sme": "0.2000", "academia": 6}
    page = client.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "EUR 1,234,567.89" in page and "Pharma One AG" in page


def test_markdown_payloads_are_inert_on_the_topic_page(app, db, world, make_user):
    coordinator = make_user("coordinator")
    topic = make_topic(
        db,
        world,
        "idea",
        challenge="<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1))",
    )
    page = _signed_in(app, coordinator).get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img src=x onerror" not in page
    assert 'href="javascript:' not in page


def test_review_flow_on_the_page(app, db, world, make_user):
    coordinator = make_user("coordinator")
    reviewer, conflicted = (make_reviewer(db, world, make_user) for _ in range(2))
    topic = make_topic(db, world, "consultation")
    boss = _signed_in(app, coordinator)
    picker = f"/topics/{topic.id}/reviewers"
    for user in (reviewer, conflicted):
        html = boss.get(picker).get_data(as_text=True)
        assert f'name="reviewer_id" value="{user.id}"' in html
        r = boss.post(picker, data={"csrf_token": csrf_from(html), "reviewer_id": user.id})
        assert r.status_code == 302
    html = boss.get(picker).get_data(as_text=True)
    assert f'name="reviewer_id" value="{reviewer.id}"' not in html  # assigned: not offered
    rc = _signed_in(app, reviewer)
    post_form(rc, f"/topics/{topic.id}/coi", {"coi": "none"}, page=f"/topics/{topic.id}")
    bad = post_form(
        rc,
        f"/topics/{topic.id}/review",
        {"excellence": "4.25", "impact": "4", "implementation": "4"},
        page=f"/topics/{topic.id}",
        follow_redirects=True,
    )
    assert "half points" in bad.get_data(as_text=True)
    post_form(
        rc,
        f"/topics/{topic.id}/review",
        {"excellence": "4", "impact": "2.5", "implementation": "4", "comments": "Fine"},
        page=f"/topics/{topic.id}",
    )
    cc = _signed_in(app, conflicted)
    post_form(
        cc,
        f"/topics/{topic.id}/coi",
        {"coi": "conflicted", "coi_reason": "Former employer"},
        page=f"/topics/{topic.id}",
    )
    page = cc.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "You declared a conflict of interest" in page and "Fine" not in page
    page = boss.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "below threshold" in page and "above threshold" in page  # impact 2.5 < 3
    assert "Fine" in page


def test_calls_are_managed_by_coordinators(app, db, world, make_user):
    coordinator, viewer = make_user("coordinator"), make_user()
    year = date.today().year + 1  # deadlines lie between today and 20 years ahead
    vc = _signed_in(app, viewer)
    assert vc.get("/calls/new").status_code == 403
    cc = _signed_in(app, coordinator)
    response = post_form(
        cc,
        "/calls/new",
        {
            "programme_id": world["programme"].id,
            "identifier": "IHI-2027-01",
            "title": "First call",
            "call_type": "two_stage",
            "timezone": "Europe/Brussels",
            "stage1_local": f"{year}-04-25T17:00",
            "stage2_local": f"{year}-03-01T17:00",
        },
    )
    assert "must come after" in response.get_data(as_text=True)
    db.rollback()
    assert db.scalars(select(Call)).first() is None
    response = post_form(
        cc,
        "/calls/new",
        {
            "programme_id": world["programme"].id,
            "identifier": "IHI-2027-01",
            "title": "First call",
            "call_type": "two_stage",
            "timezone": "Europe/Brussels",
            "stage1_local": f"{year}-04-25T17:00",
            "stage2_local": f"{year}-11-07T17:00",
        },
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert f"25 Apr {year} 17:00 CEST" in body and "days left" in body
    listing = vc.get("/calls/").get_data(as_text=True)
    assert "IHI-2027-01" in listing and "New call" not in listing


@pytest.mark.parametrize("path", ["/topics/", "/calls/", "/topics/export.csv"])
def test_signed_in_pages_need_a_sign_in(client, path):
    assert client.get(path).status_code == 302

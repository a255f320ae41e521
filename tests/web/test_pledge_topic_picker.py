"""The pledge form's topic picker (services.pledges.topic_picker): only topics the partner
may pledge to, found by title or identifier, a short menu with the chosen topic kept, the
menu alone for htmx, and any query string answered without a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

import models
from models import Pledge, TopicIndustryPartner
from services.pledges import topic_picker
from tests.conftest import PASSWORD
from tests.pledge_helpers import form, make_topic
from tests.support import login, post_form

HX = {"HX-Request": "true"}
RESTORE = {"HX-History-Restore-Request": "true"}


@pytest.fixture
def rep_client(client, db, world, make_user):
    rep = make_user(org_id=world["pharma"].id)
    login(client, rep.email, PASSWORD)
    return client


def _offered(html: str) -> list[str]:
    """The topic menu's options, as (value) strings, in order."""
    menu = re.search(r'<select id="topic_id" name="topic_id">(.*?)</select>', html, re.S)
    assert menu, html[-3000:]
    return re.findall(r'<option (?:selected )?value="(\d+)">', menu.group(1))


@pytest.fixture
def topics(db, world):
    """Published topics to pledge to, a hidden draft, our own draft, a closed topic."""
    made = {
        "vaccine": make_topic(db, world, status="published", title="Pertussis vaccine for infants"),
        "adjuvant": make_topic(db, world, status="published", title="Adjuvants for older adults"),
        "hidden": make_topic(db, world, title="Confidential vaccine draft"),
        "ours": make_topic(db, world, title="Our vaccine draft"),
        "closed": make_topic(db, world, status="closed", title="Closed vaccine topic"),
    }
    made["adjuvant"].identifier = "IHI-2026-ADJ-01"
    db.add(TopicIndustryPartner(topic_id=made["ours"].id, organisation_id=world["pharma"].id))
    db.commit()
    return made


def test_search_offers_only_topics_the_partner_may_pledge_to(rep_client, topics):
    ids = {name: str(t.id) for name, t in topics.items()}
    page = rep_client.get("/pledges/new?topic_q=vaccine")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert set(_offered(html)) == {ids["vaccine"], ids["ours"]}
    assert 'role="search"' in html and 'name="topic_q" value="vaccine"' in html
    fragment = rep_client.get("/pledges/new?topic_q=VACCINE", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="topic-menu"') and "<html" not in body
    assert set(_offered(body)) == {ids["vaccine"], ids["ours"]}
    assert "HX-Request" in fragment.headers["Vary"]
    restore = rep_client.get("/pledges/new?topic_q=vaccine", headers={**HX, **RESTORE})
    assert "<html" in restore.get_data(as_text=True)  # htmx's history restore: the page
    by_identifier = rep_client.get("/pledges/new?topic_q=adj-01", headers=HX)
    assert _offered(by_identifier.get_data(as_text=True)) == [ids["adjuvant"]]


def test_chosen_topic_stays_first_and_selected_whatever_the_search(rep_client, topics):
    adjuvant, vaccine = str(topics["adjuvant"].id), str(topics["vaccine"].id)
    html = rep_client.get(f"/pledges/new?topic_id={adjuvant}&topic_q=pertussis", headers=HX)
    body = html.get_data(as_text=True)
    assert _offered(body) == [adjuvant, vaccine]
    assert f'<option selected value="{adjuvant}">' in body
    page = rep_client.get(f"/pledges/new?topic_id={adjuvant}").get_data(as_text=True)
    assert f'<input type="hidden" name="topic_id" value="{adjuvant}">' in page
    # A topic the partner may not pledge to is not offered, even when asked for by id.
    hidden = str(topics["hidden"].id)
    body = rep_client.get(f"/pledges/new?topic_id={hidden}", headers=HX).get_data(as_text=True)
    assert hidden not in _offered(body) and "selected" not in body


def test_long_lists_are_cut_with_a_hint(rep_client, db, world, monkeypatch):
    for n in range(4):
        make_topic(db, world, status="published", title=f"Topic number {n}")
    monkeypatch.setattr(topic_picker, "PICKER_LIMIT", 3)
    body = rep_client.get("/pledges/new", headers=HX).get_data(as_text=True)
    assert len(_offered(body)) == 3
    assert "4 topics are open for pledges; the menu lists the first 3." in body
    body = rep_client.get("/pledges/new?topic_q=number+2", headers=HX).get_data(as_text=True)
    assert len(_offered(body)) == 1 and "the menu lists" not in body
    body = rep_client.get("/pledges/new?topic_q=nothing+like+it", headers=HX).get_data(as_text=True)
    assert _offered(body) == [] and "No topic open for pledges matches" in body


@pytest.mark.parametrize(
    "query",
    [
        "topic_q=" + "x" * 5000,
        "topic_q=%25%5F%5C",  # LIKE wildcards and the escape character, as typed
        "topic_q=%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
        "topic_q=a%09b%0Ac",
        "topic_id=99999999999999999999",
        "topic_id=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
        "topic_id=-1",
        "topic_id=abc&topic_id=1",
        "topic_q=&topic_q=x",
    ],
)
def test_bad_query_strings_are_answered_without_a_500(rep_client, topics, query):
    for headers in ({}, HX):
        response = rep_client.get(f"/pledges/new?{query}", headers=headers)
        assert response.status_code in (200, 400), (query, response.status_code)


def test_posted_topic_must_be_one_the_partner_may_pledge_to(rep_client, db, world, topics):
    for name in ("hidden", "closed"):
        data = form(topic_id=topics[name].id, organisation_id=world["pharma"].id)
        response = post_form(rep_client, "/pledges/new", data)
        assert response.status_code == 422
        assert 'id="topic_id-err"' in response.get_data(as_text=True)
    for bad in ("99999999999999999999", "x", ""):
        data = form(topic_id=bad, organisation_id=world["pharma"].id)
        assert post_form(rep_client, "/pledges/new", data).status_code == 422
    assert db.scalar(select(func.count()).select_from(Pledge)) == 0
    # Any topic open to the partner is taken, listed in the first menu or not.
    data = form(topic_id=topics["ours"].id, organisation_id=world["pharma"].id)
    assert post_form(rep_client, "/pledges/new", data).status_code == 302


def test_clean_query_and_topic_id() -> None:
    assert topic_picker.clean_query("  a\x00b\tc  ") == "a b c"
    assert topic_picker.clean_query(None) == ""
    assert len(topic_picker.clean_query("y" * 999)) == topic_picker.QUERY_MAX
    assert topic_picker.topic_id(" 656 ") == 656
    for bad in ("0", "-3", "²", "1e3", "", None, str(2**31), 7):
        assert topic_picker.topic_id(bad) is None


def test_pledge_form_statements_and_menu_do_not_grow_with_the_topics(
    app, rep_client, db, world, monkeypatch
):
    from tests.web.test_page_queries import counted

    monkeypatch.setattr(topic_picker, "PICKER_LIMIT", 5)
    engine = app.extensions["partnering.engine"]
    sizes, counts = [], []
    for n in (2, 12):
        while db.scalar(select(func.count()).select_from(models.Topic)) < n:
            make_topic(db, world, status="published", title="Open topic")
        rep_client.get("/pledges/new")
        with counted(engine) as statements:
            html = rep_client.get("/pledges/new").get_data(as_text=True)
        sizes.append(len(_offered(html)))
        counts.append(len(statements))
    assert sizes == [2, 5], sizes
    assert counts[0] == counts[1], counts
    assert sum("FROM topics" in s for s in statements) == 1, statements

"""The admin, call and public pages of issue 17: statements that do not grow with what a
page lists (memberships, industry partners, topics, calls), and links built once per list
that are the links ``url_for`` builds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import event

import models
from services.accounts import memberships
from services.core.context import RequestContext
from tests.support import login
from tests.topic_support import make_call, make_topic
from webapp.urls import constant_url, id_url, link_url

PASSWORD = "correct horse battery"


@contextmanager
def counted(engine: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _page(app: Any, client: Any, path: str) -> tuple[list[str], str]:
    client.get(path)  # warm (the first request of a session loads more)
    with counted(app.extensions["partnering.engine"]) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements, response.get_data(as_text=True)


def test_id_url_builds_what_url_for_builds(app: Any) -> None:
    with app.test_request_context("/"):
        topic_url = id_url("topics.detail", "topic_id")
        remove_url = id_url("topics.remove_call_topic", "topic_id", call_id=12)
        for id_ in (1, 7, 2147483647):
            assert topic_url(id_) == url_for("topics.detail", topic_id=id_)
            assert remove_url(id_) == url_for("topics.remove_call_topic", call_id=12, topic_id=id_)
        # Another value holding the marker id: each URL is built in full.
        marked = id_url("topics.remove_call_topic", "topic_id", call_id=2147483647)
        assert marked(5) == url_for("topics.remove_call_topic", call_id=2147483647, topic_id=5)


def test_link_url_builds_what_url_for_builds(app: Any) -> None:
    """A work queue's links: one id reuses a builder per endpoint, others go to url_for."""
    with app.test_request_context("/"):
        for id_ in (3, 3, 41):
            assert link_url("topics.detail", {"topic_id": id_}, "#review") == (
                url_for("topics.detail", topic_id=id_) + "#review"
            )
            assert link_url("pledges.detail", {"pledge_id": id_}) == url_for(
                "pledges.detail", pledge_id=id_
            )
        assert link_url("pledges.applications", {}, "#application-4") == (
            url_for("pledges.applications") + "#application-4"
        )
        assert link_url("topics.remove_call_topic", {"call_id": 2, "topic_id": 5}) == url_for(
            "topics.remove_call_topic", call_id=2, topic_id=5
        )


def test_constant_url_builds_what_url_for_builds_under_every_script_root(app: Any) -> None:
    """The header's links are kept per script root: a mounted app gets its prefix."""
    for root in ("", "/pm", ""):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for _ in range(2):
                assert constant_url("notifications.inbox") == url_for("notifications.inbox")
                assert constant_url("static", filename="app.css") == url_for(
                    "static", filename="app.css"
                )
            assert constant_url("main.index").startswith(f"{root}/")


def test_user_page_loads_a_user_and_memberships_in_one_statement(
    app: Any, client: Any, db: Any, world: dict[str, Any], make_user: Any
) -> None:
    make_user("admin", email="root@example.org")
    login(client, "root@example.org", PASSWORD)
    person = make_user("viewer", email="person@example.org")
    bare, _ = _page(app, client, f"/admin/users/{person.id}")
    ctx = RequestContext(None)
    memberships.add_to_sgg(db, ctx, person, world["sgg_a"].id)
    memberships.add_to_sgg(db, ctx, person, world["sgg_b"].id)
    memberships.add_to_organisation(db, ctx, person, world["pharma"].id, "partner_rep")
    memberships.add_to_organisation(db, ctx, person, world["uni"].id, "applicant")
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=person.id))
    db.commit()
    busy, page = _page(app, client, f"/admin/users/{person.id}")
    assert len(busy) == len(bare), (bare, busy)
    assert len(busy) <= 5, busy  # signed-in user, user, SGG and partner choices, heartbeats
    for shown in ("SGG A", "SGG B", "Pharma One AG", "University of Testing"):
        assert shown in page, shown
    roles = "SGG member, Partner representative, Applicant, Programme reviewer"
    assert f"<p>Roles: {roles}</p>" in page


def test_public_topic_is_one_statement_whatever_its_partners(
    app: Any, client: Any, db: Any, world: dict[str, Any]
) -> None:
    call = make_call(db, world)
    topic = make_topic(db, world, "published", title="Open to all", call=call)
    one, _ = _page(app, client, f"/public/topics/{topic.id}")
    db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=world["pharma2"].id))
    db.commit()
    two, page = _page(app, client, f"/public/topics/{topic.id}")
    assert len(one) == len(two) == 1, two
    assert "Pharma One AG" in page and "Pharma Two SA" in page and call.identifier in page


def test_call_pages_read_the_call_with_its_programme_and_topics_as_rows(
    app: Any, client: Any, db: Any, world: dict[str, Any], make_user: Any
) -> None:
    call = make_call(db, world)
    make_topic(db, world, "approved", title="Waiting", call=call)
    make_user("coordinator", email="office@example.org")
    login(client, "office@example.org", PASSWORD)
    statements, page = _page(app, client, f"/calls/{call.id}")
    # Signed-in user, call with programme, addable topics, the call's topics.
    assert len(statements) == 4, statements
    assert not [s for s in statements if s.startswith("SELECT programmes.")], statements
    assert "published: its topics stay" not in page and "Remove from the call" in page
    make_topic(db, world, "published", title="Public one", call=call)
    again, page = _page(app, client, f"/calls/{call.id}")
    assert len(again) == 4, again
    assert "This call is published: its topics stay in it." in page
    assert page.count("Remove from the call") == 0  # nothing leaves a published call
    public, page = _page(app, app.test_client(), f"/public/calls/{call.id}")  # a visitor
    assert len(public) == 2, public  # the call with its programme, the published topics
    assert "Public one" in page and "Waiting" not in page


def test_call_lists_count_topics_in_the_calls_statement(
    app: Any, client: Any, db: Any, world: dict[str, Any], make_user: Any
) -> None:
    first = make_call(db, world, identifier="CALL-A")
    second = make_call(db, world, identifier="CALL-B")
    make_topic(db, world, "published", title="Out", call=first)
    make_topic(db, world, "idea", title="Hidden idea", call=first, sgg=world["sgg_b"])
    make_topic(db, world, "approved", title="Approved", call=second, sgg=world["sgg_b"])
    public, page = _page(app, client, "/public/calls/")
    assert len(public) == 1, public
    assert "CALL-A" in page and "(1 topic)" in page and "CALL-B" not in page
    make_user("viewer", sgg_id=world["sgg_a"].id, email="member@example.org")
    login(client, "member@example.org", PASSWORD)
    listed, page = _page(app, client, "/calls/")
    assert len(listed) == 2, listed  # the signed-in user, the calls with their counts
    rows = {r.split("</a>")[0].rsplit(">", 1)[-1]: r for r in page.split("<tr><td><a ")[1:]}
    # An SGG A member sees the published topic, not SGG B's idea nor its approved one.
    assert '<td class="num">1</td>' in rows["CALL-A"], rows
    assert '<td class="num">0</td>' in rows["CALL-B"], rows


@pytest.mark.parametrize("with_password", [True, False])
def test_users_list_rows_say_invited_or_active(
    app: Any, client: Any, db: Any, make_user: Any, with_password: bool
) -> None:
    make_user("admin", email="root@example.org")
    person = make_user("viewer", email="zz-person@example.org")
    if not with_password:
        person.password_hash = None
        db.commit()
    login(client, "root@example.org", PASSWORD)
    statements, page = _page(app, client, "/admin/users")
    assert len(statements) <= 3, statements
    row = page.split(f'href="/admin/users/{person.id}">')[1].split("</tr>")[0]
    assert ("<td>active</td>" if with_password else "<td>invited</td>") in row, row

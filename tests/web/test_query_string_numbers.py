"""Numbers in query strings that no database integer holds (or that are not numbers) are
answered like any unknown id, never with a 500: PostgreSQL refuses what SQLite compares."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.pledge_helpers import make_topic
from tests.support import login, post_form

HUGE = ("99999999999", "-99999999999", "2147483648", "1e9", "0x10", "٣")


@pytest.fixture
def office(client, make_user):
    login(client, make_user(role="coordinator").email, PASSWORD)
    return client


@pytest.mark.parametrize("value", HUGE)
def test_query_string_numbers_beyond_an_integer(office, db, world, value):
    topic = make_topic(db, world, status="published")
    answers = {
        f"/consortia/new?topic_id={value}": (404,),
        f"/consortia/?topic_id={value}": (200,),
        f"/consortia/compare?a={value}&b={value}": (400, 404),
        f"/topics/?sgg={value}&area={value}&call={value}": (200,),
        f"/topics/{topic.id}/diff?a={value}&b={value}": (404,),
    }
    for url, allowed in answers.items():
        status = office.get(url).status_code
        assert status in allowed, (url, status)


@pytest.mark.parametrize("value", [*HUGE, "", "abc"])
def test_a_membership_for_an_id_no_integer_holds_is_refused(client, db, make_user, value):
    admin = make_user(role="admin")
    person = make_user()
    login(client, admin.email, PASSWORD)
    page = f"/admin/users/{person.id}"
    for url, field in (("sgg", "sgg_id"), ("organisation", "organisation_id")):
        answer = post_form(client, f"{page}/{url}", {field: value, "role": "applicant"}, page)
        assert answer.status_code < 500, (url, answer.status_code)
    db.expire_all()
    assert not person.sgg_memberships and not person.org_memberships

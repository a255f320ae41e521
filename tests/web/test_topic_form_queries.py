"""The topic pages' queries (issue 17): the topic form's industry partners and duplicate
titles from their indexes, the match-request form's topic with its partners in one
statement, the coordinator's topic page reading the reviews once, and who sees what
unchanged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

import models
from services import policies
from services.topics import content as topics
from tests.support import csrf_from, login, post_form
from tests.topic_support import make_topic
from tests.web.test_page_queries import counted

PASSWORD = "correct horse battery"


def _partners(db, n: int) -> list[models.Organisation]:
    orgs = [
        models.Organisation(
            legal_name=f"Member {i} {n}", country="BE", sector="industry", is_efpia_member=True
        )
        for i in range(n)
    ]
    db.add_all(orgs)
    db.flush()
    return orgs


def test_request_form_queries_do_not_grow_with_the_industry_partners(
    app, client, db, world, make_user
):
    make_user("coordinator", email="coord@example.org")
    plain = make_topic(db, world, "published", title="Plain")
    busy = make_topic(db, world, "published", title="Busy")
    for topic, n in ((plain, 1), (busy, 4)):
        for org in _partners(db, n):
            db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=org.id))
    db.commit()
    login(client, "coord@example.org", PASSWORD)
    engine = app.extensions["partnering.engine"]
    counts = {}
    for topic in (plain, busy):
        client.get(f"/consortia/new?topic_id={topic.id}")
        with counted(engine) as statements:
            page = client.get(f"/consortia/new?topic_id={topic.id}")
        assert page.status_code == 200
        counts[topic.title] = statements
    assert "Member 3 4" in page.get_data(as_text=True)
    assert len(counts["Busy"]) == len(counts["Plain"]), counts
    # nothing chosen in the picker: no query for chosen organisations
    assert not any("FROM organisations" in s.split("JOIN")[0] for s in counts["Busy"])


def test_a_coordinator_s_topic_page_reads_the_reviews_once(app, client, db, world, make_user):
    coordinator = make_user("coordinator", email="coord@example.org")
    reviewer = make_user()
    topic = make_topic(db, world, "screening", title="Reviewed")
    db.add(models.TopicReview(topic_id=topic.id, reviewer_id=reviewer.id, coi="none"))
    # a coordinator may be asked to review too: their own form still shows
    db.add(models.TopicReview(topic_id=topic.id, reviewer_id=coordinator.id, coi="pending"))
    db.commit()
    login(client, "coord@example.org", PASSWORD)
    engine = app.extensions["partnering.engine"]
    with counted(engine) as statements:
        page = client.get(f"/topics/{topic.id}")
    assert page.status_code == 200
    # The signed-in user's own statement (with the unread count) asks whether they review.
    reads = [s for s in statements if "FROM topic_reviews" in s and "outbox_messages" not in s]
    assert len(reads) == 1, statements
    body = page.get_data(as_text=True)
    assert "declare any conflict of interest" in body
    assert reviewer.name in body


def test_a_reviewer_sees_the_reviews_only_once_without_conflict(app, client, db, world, make_user):
    first = make_user(email="first@example.org")
    second = make_user(email="second@example.org")
    topic = make_topic(db, world, "screening", title="Reviewed")
    db.add(models.TopicReview(topic_id=topic.id, reviewer_id=first.id, coi="pending"))
    db.add(models.TopicReview(topic_id=topic.id, reviewer_id=second.id, coi="none"))
    db.commit()
    login(client, "first@example.org", PASSWORD)
    pending = client.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "declare any conflict of interest" in pending
    assert "<strong>second</strong>" not in pending  # no one's review before declaring
    other = app.test_client()
    login(other, "second@example.org", PASSWORD)
    clear = other.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "<strong>first</strong>" in clear  # a reviewer without conflict sees them all


def test_industry_partner_list_and_duplicate_titles_come_from_their_indexes(
    db, world, make_user, is_postgres
):
    if not is_postgres:
        pytest.skip("the plans are PostgreSQL's")
    coordinator = make_user("coordinator")
    make_topic(db, world, "idea", title="Same  Title")
    db.execute(text("SET LOCAL enable_seqscan = off"))
    plans = []
    for stmt in (
        topics.PARTNER_ORGANISATIONS,
        topics.same_title_query(coordinator, world["programme"].id, "same title", None),
    ):
        compiled = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plans.append("\n".join(row[0] for row in db.execute(text(f"EXPLAIN {compiled}"))))
    db.rollback()
    assert "ix_organisations_industry_partners" in plans[0], plans[0]
    assert "ix_topics_programme_title_length" in plans[1], plans[1]


def test_duplicate_title_warning_still_finds_the_same_title(db, world, make_user):
    sgg_member = make_user("viewer", sgg_id=world["sgg_a"].id)
    coordinator = make_user("coordinator")
    same = make_topic(db, world, "idea", title="Organoids  for Sepsis")
    make_topic(db, world, "idea", title="Organoids for Sepsis!")  # one more letter
    hidden = make_topic(db, world, "idea", title="Organoids for sepsis", sgg=world["sgg_b"])
    found = topics.same_title(db, coordinator, world["programme"].id, "organoids FOR sepsis", None)
    assert [t.id for t in found] == [same.id, hidden.id]
    seen = topics.same_title(db, sgg_member, world["programme"].id, "organoids for sepsis", None)
    assert [t.id for t in seen] == [same.id]  # a warning names no topic one may not see


def test_the_topic_form_lists_only_industry_partners_by_name(client, db, world, make_user):
    make_user("coordinator", email="coord@example.org")
    db.add(
        models.Organisation(
            legal_name="Associated Partner Ltd",
            short_name="APL",
            country="IE",
            sector="industry",
            partner_type="associated",
        )
    )
    db.commit()
    login(client, "coord@example.org", PASSWORD)
    form = client.get("/topics/new").get_data(as_text=True)
    assert ">APL</option>" in form and ">Pharma One AG</option>" in form
    assert "University of Testing" not in form


def test_the_new_topic_form_offers_the_sggs_one_may_propose_for(client, db, world, make_user):
    """``policies.sggs_open_to_proposals``: an SGG member their own SGGs, a coordinator all,
    anyone else none (a 403); a topic for another SGG is refused."""
    make_user(sgg_id=world["sgg_a"].id, email="member@example.org")
    make_user("coordinator", email="coord@example.org")
    make_user(email="nobody@example.org")
    sgg_option = re.compile(r'<select id="sgg_id" name="sgg_id">(.*?)</select>', re.S)

    def offered(email: str) -> str:
        login(client, email, PASSWORD)
        response = client.get("/topics/new")
        client.post("/auth/logout", data={"csrf_token": csrf_from(response.get_data(True))})
        if response.status_code != 200:
            return str(response.status_code)
        found = sgg_option.search(response.get_data(as_text=True))
        return found.group(1) if found else ""

    member, coordinator = offered("member@example.org"), offered("coord@example.org")
    assert ">SGG A</option>" in member and "SGG B" not in member
    assert ">SGG A</option>" in coordinator and ">SGG B</option>" in coordinator
    assert offered("nobody@example.org") == "403"
    login(client, "member@example.org", PASSWORD)
    data = {"sgg_id": world["sgg_b"].id, "title": "Not my SGG's idea"}
    assert post_form(client, "/topics/new", data).status_code == 422
    assert policies.sggs_open_to_proposals(None, [world["sgg_a"].id]) == set()

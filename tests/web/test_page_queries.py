"""What the load benchmark changed: the liveness route, topic search through one expression
(PostgreSQL's trigram index), and a topic page whose query count does not grow with its
partners, history, comments and reviews."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

import models
from services.topics import listing as topic_list
from tests.support import login
from tests.topic_support import make_topic

PASSWORD = "correct horse battery"


def test_liveness_answers_without_touching_the_database(app, client):
    engine = app.extensions["partnering.engine"]
    with counted(engine) as statements:
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert statements == []


def _found(db, user, q: str) -> list[str]:
    query = topic_list.topic_query(user, topic_list.TopicFilters(q=q, sort="title"))
    return [t.title for t in db.scalars(query)]


def test_search_words_match_within_one_field_never_across_two(db, world, make_user):
    coordinator = make_user("coordinator")
    make_topic(db, world, "idea", title="Organ", scope="oids grown from stem cells", keywords="")
    make_topic(db, world, "idea", title="Atlas", identifier=None, keywords="organoids")
    assert _found(db, coordinator, "organoids") == ["Atlas"]  # not "Organ" + "oids"
    assert _found(db, coordinator, "ORGAN") == ["Atlas", "Organ"]
    assert _found(db, coordinator, "oids stem") == ["Organ"]  # each word in some field
    assert _found(db, coordinator, "atlas stem") == []  # every word must occur
    assert _found(db, coordinator, "T-Organ") == ["Organ"]  # the identifier is searched


def test_topic_search_uses_the_trigram_index_on_postgresql(db, world, make_user, is_postgres):
    if not is_postgres:
        pytest.skip("the trigram index exists on PostgreSQL only")
    coordinator = make_user("coordinator")
    make_topic(db, world, "idea", title="Zebrafish models")
    query = topic_list.topic_query(coordinator, topic_list.TopicFilters(q="zebrafish"))
    db.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in db.execute(text(f"EXPLAIN {compiled}")))
    db.rollback()
    assert "ix_topics_search_trgm" in plan, plan


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _enrich(db, world, topic: models.Topic, people: list[models.User], orgs, keen) -> None:
    """Partners, a history, comments and reviews, each by several different people, and
    interests of other organisations (``keen``: not loaded with the partners)."""
    for org in orgs:
        db.add(models.TopicIndustryPartner(topic_id=topic.id, organisation_id=org.id))
    for org in keen:
        db.add(models.TopicInterest(topic_id=topic.id, organisation_id=org.id, note="We bring"))
    for i, person in enumerate(people):
        db.add(
            models.TopicTransition(
                topic_id=topic.id,
                name="screen",
                from_state="idea",
                to_state="screening",
                actor_id=person.id,
                comment=f"step {i}",
            )
        )
        db.add(models.TopicComment(topic_id=topic.id, author_id=person.id, body=f"note {i}"))
        db.add(models.TopicReview(topic_id=topic.id, reviewer_id=person.id, coi="none"))
    db.commit()


def test_topic_page_queries_do_not_grow_with_what_it_lists(app, client, db, world, make_user):
    coordinator = make_user("coordinator", email="coord@example.org")
    plain = make_topic(db, world, "drafting", title="Plain")
    busy = make_topic(db, world, "drafting", title="Busy")
    people = [make_user() for _ in range(4)]
    orgs = [
        models.Organisation(legal_name=f"Partner {i}", country="DE", sector="industry")
        for i in range(4)
    ]
    keen = [
        models.Organisation(legal_name=f"Keen {i}", country="FR", sector="academia")
        for i in range(4)
    ]
    db.add_all(orgs + keen)
    db.commit()
    _enrich(db, world, plain, people[:1], orgs[:1], keen[:1])  # one of each...
    _enrich(db, world, busy, people, orgs, keen)  # ...against four of each
    login(client, "coord@example.org", PASSWORD)
    engine = app.extensions["partnering.engine"]
    counts = {}
    for topic in (plain, busy):
        client.get(f"/topics/{topic.id}")
        with counted(engine) as statements:
            response = client.get(f"/topics/{topic.id}")
        assert response.status_code == 200
        counts[topic.title] = len(statements)
    page = response.get_data(as_text=True)
    assert all(p.name in page for p in people) and "Partner 3" in page and "Keen 3" in page
    assert counts["Busy"] == counts["Plain"], counts
    assert coordinator.id


def _work(db, world, office: models.User, n: int, tag: str) -> None:
    """``n`` items in every queue of a user who holds every role."""
    from tests.pledge_helpers import add_pledge
    from tests.worklist_support import invitation, match

    for i in range(n):
        screening = make_topic(db, world, "screening", title=f"{tag} screen {i}")
        published = make_topic(db, world, "published", title=f"{tag} open {i}")
        add_pledge(db, screening, world["pharma2"], f"{i + 1}.00", commit=False)
        add_pledge(db, published, world["pharma"], f"{i + 1}.00", status="draft", commit=False)
        db.add(models.TopicReview(topic_id=screening.id, reviewer_id=office.id))
        db.add(models.TopicComment(topic_id=screening.id, body=f"question {i}"))
        req = match(db, published, office)
        invitation(db, req, world["pharma"])
        invitation(db, req, world["uni"], "declined")
        make_topic(db, world, "stage1_open", title=f"{tag} to pledge {i}")
    db.commit()


def test_dashboard_queries_do_not_grow_with_its_queues(app, client, db, world, make_user):
    office = make_user(
        "coordinator", email="all@example.org", sgg_id=world["sgg_a"].id, org_id=world["pharma"].id
    )
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=office.id))
    login(client, "all@example.org", PASSWORD)
    engine = app.extensions["partnering.engine"]
    counts = []
    for n, tag in ((1, "few"), (3, "many")):
        _work(db, world, office, n, tag)
        client.get("/dashboard")
        with counted(engine) as statements:
            response = client.get("/dashboard")
        assert response.status_code == 200
        counts.append(len(statements))
    page = response.get_data(as_text=True)
    assert "many screen 2" in page and "4 pledges" in page and "few to pledge 0" in page
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts
    print("dashboard statements", counts)


def _statements_of(app, client, path: str) -> list[str]:
    client.get(path)  # warm (the first request of a session loads more)
    with counted(app.extensions["partnering.engine"]) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return [" ".join(s.split()) for s in statements]


def test_office_pledge_queue_counts_the_pledges_alone(app, client, db, world, make_user):
    """The total of the submitted pledges is a count of pledges (no window over the rows
    joined to their topics and organisations), the first rows come in order of age."""
    from tests.pledge_helpers import add_pledge

    make_user("coordinator", email="office@example.org")
    for i in range(10):
        topic = make_topic(db, world, "screening", title=f"Pledged {i}")
        add_pledge(db, topic, world["pharma2"], f"{i + 1}.00", commit=False)
    db.commit()
    login(client, "office@example.org", PASSWORD)
    statements = _statements_of(app, client, "/dashboard")
    queue = [s for s in statements if "pledges.status" in s]
    assert len(queue) == 1, queue
    assert (
        "OVER ()" not in queue[0] and "(SELECT count(*) AS count_1 FROM pledges WHERE" in queue[0]
    )
    page = client.get("/dashboard").get_data(as_text=True)
    assert "10 pledges" in page and "Pledged 0" in page and "Pledged 9" not in page


def test_call_page_loads_what_its_rows_show(app, client, db, world, make_user):
    """No topic texts, no SGG, area or call per topic: the same statements for 1 or 4 topics."""
    from tests.topic_support import make_call

    make_user("coordinator", email="calls@example.org")
    login(client, "calls@example.org", PASSWORD)
    call = make_call(db, world)
    make_topic(db, world, "approved", title="First", call=call)
    few = _statements_of(app, client, f"/calls/{call.id}")
    for i in range(3):
        make_topic(db, world, "approved", title=f"More {i}", call=call)
    many = _statements_of(app, client, f"/calls/{call.id}")
    assert len(few) == len(many), (few, many)
    assert not [s for s in many if "FROM sggs" in s or "FROM scientific_areas" in s], many
    assert not [s for s in many if "topics.challenge" in s], many
    assert "More 2" in client.get(f"/calls/{call.id}").get_data(as_text=True)


def test_background_page_reads_the_heartbeats_once(app, client, make_user):
    make_user("admin", email="ops@example.org")
    login(client, "ops@example.org", PASSWORD)
    statements = _statements_of(app, client, "/admin/background")
    assert len([s for s in statements if "FROM heartbeats" in s]) == 1, statements
    assert len([s for s in statements if "FROM outbox_messages" in s and "GROUP BY" in s]) == 1


def test_organisation_page_counts_pledges_without_a_window(app, client, db, world, make_user):
    """The newest pledges of an organisation, their number by a count (a window count made
    PostgreSQL read every pledge through the primary key), the topics' titles with them: the
    involvement lists are one statement."""
    from tests.pledge_helpers import add_pledge

    make_user("coordinator", email="orgs@example.org")
    for i in range(3):
        topic = make_topic(db, world, "published", title=f"Funded {i}")
        add_pledge(db, topic, world["pharma"], f"{i + 1}.00", commit=False)
    db.commit()
    login(client, "orgs@example.org", PASSWORD)
    statements = _statements_of(app, client, f"/organisations/{world['pharma'].id}")
    pledges = [s for s in statements if "FROM pledges" in s]
    assert len(pledges) == 1 and "count(*) OVER" not in pledges[0], pledges
    assert "topic_industry_partners" in pledges[0] and "consortium_invitations" in pledges[0]
    titles = [s for s in statements if s.startswith("SELECT topics.id, topics.title FROM topics")]
    assert titles == [], titles  # no statement of their own
    page = client.get(f"/organisations/{world['pharma'].id}").get_data(as_text=True)
    lines = [page.index(f"Pledge</a> to “Funded {i}”") for i in (2, 1, 0)]
    assert lines == sorted(lines), lines  # the newest first
    assert "“Funded 2”" in page


def test_people_section_is_one_statement_whatever_its_size(app, client, db, world, make_user):
    """Members (with their names) and contacts come in one statement, not one per person."""
    office = make_user("coordinator", email="people-office@example.org")
    org = world["uni"]
    for name in ("Zoe Member", "Adam Member", "Mia Member"):
        make_user(
            email=f"{name.split()[0].lower()}@example.org", org_id=org.id, org_role="applicant"
        )
    for name in ("Yann Contact", "Bea Contact"):
        db.add(models.Contact(organisation_id=org.id, name=name, email=f"{name[:3]}@x.org"))
    db.commit()
    db.expunge_all()  # nothing of them in the session: a lazy load would show
    login(client, office.email, PASSWORD)
    statements = _statements_of(app, client, f"/organisations/{org.id}")
    # (the signed-in user's own statement reads their memberships)
    people = [s for s in statements if "FROM organisation_contacts" in s]
    assert len(people) == 1 and "UNION ALL" in people[0], people
    assert "FROM organisation_memberships JOIN users" in people[0]
    assert not [
        s for s in statements if s.startswith("SELECT users.id") and "WHERE users.id =" in s
    ]
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    members = [page.index(f"{n} — ") for n in ("adam", "mia", "zoe")]
    assert members == sorted(members)
    assert page.index("Bea Contact") < page.index("Yann Contact")

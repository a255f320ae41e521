"""A pledge carries its topic's programme (the funding sums read it without joining
topics): every way of writing a pledge stores the topic's, and no other is accepted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import IntegrityError

import models
from models import Pledge
from services.core.context import RequestContext
from services.pledges import lifecycle as pledges
from services.pledges.funding import area_distribution, programme_funding
from services.pledges.rules import programme_sums
from tests.pledge_helpers import add_pledge, form, make_topic


def _other_programme_topic(db, world) -> models.Topic:
    other = models.Programme(code="OTHER", name="Other programme")
    sgg = models.Sgg(programme=other, area=world["area"], name="Other SGG")
    topic = models.Topic(programme=other, sgg=sgg, title="Elsewhere", status="published")
    db.add_all([other, sgg, topic])
    db.commit()
    return topic


def test_every_write_path_stores_the_topics_programme(db, world, make_user):
    topic = make_topic(db, world, status="published")
    rep = make_user(org_id=world["pharma"].id)
    created = pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=world["pharma"].id, data=form()
    )
    by_orm = add_pledge(db, topic, world["pharma"], "10.00")  # programme_id not given
    db.execute(
        insert(Pledge),
        [{"topic_id": topic.id, "organisation_id": world["pharma"].id, "kind": "fc",
          "amount": Decimal("5.00"), "status": "submitted", "contributing_entity": "",
          "note": ""}],
    )  # fmt: skip
    db.commit()
    stored = db.scalars(select(Pledge.programme_id).where(Pledge.topic_id == topic.id)).all()
    assert stored == [world["programme"].id] * 3
    assert created.programme_id == by_orm.programme_id == world["programme"].id


def test_a_pledge_naming_another_programme_than_its_topics_is_refused(db, world):
    topic = make_topic(db, world, status="published")
    elsewhere = _other_programme_topic(db, world)
    pharma = world["pharma"]
    pledge = Pledge(topic_id=topic.id, programme_id=elsewhere.programme_id,
                    organisation_id=pharma.id, kind="fc", amount=Decimal("1.00"))  # fmt: skip
    db.add(pledge)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_programmes_sums_leave_out_other_programmes_pledges(db, world):
    topic = make_topic(db, world, status="published")
    elsewhere = _other_programme_topic(db, world)
    add_pledge(db, topic, world["pharma"], "100.00", status="confirmed", eu_match=Decimal("100"))
    add_pledge(db, elsewhere, world["pharma"], "7.00", status="confirmed", eu_match=Decimal("7"))
    overview = programme_funding(db, world["programme"])
    assert overview.confirmed == overview.pledged == Decimal("100.00")
    assert overview.eu_match_members == Decimal("100.00")
    areas = area_distribution(db, world["programme"])
    assert [(r.area, r.eu, r.industry) for r in areas] == [
        (world["area"].name, Decimal("100.00"), Decimal("100.00")),
        ("Total", Decimal("100.00"), Decimal("100.00")),
    ]


def test_programme_sums_find_members_through_their_partial_index(db, world, is_postgres):
    """``is_efpia_member IS true`` does not match the index's ``WHERE is_efpia_member``:
    every programme sum scanned all the organisations (29,000 after a CORDIS import)."""
    if not is_postgres:
        pytest.skip("the plan is PostgreSQL's")
    captured: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        captured.append((statement, parameters))

    event.listen(db.get_bind(), "before_cursor_execute", record)
    try:
        programme_sums(db, world["programme"].id)
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", record)
    statement, parameters = next(c for c in captured if "GROUP BY" in c[0])
    db.execute(text("SET LOCAL enable_seqscan = off"))
    cursor = db.connection().connection.cursor()
    cursor.execute(f"EXPLAIN {statement}", parameters)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    db.rollback()
    assert "ix_organisations_efpia_members" in plan, plan

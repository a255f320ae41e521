"""Topic content: creation, validation, revisions, diffs and optimistic locking."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import Topic, TopicRevision
from models.db import make_engine, make_session_factory
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.core.markdown import render
from services.topics import content as topics
from services.topics import revision_diff, revisions
from tests.topic_support import make_topic


def _content(topic: Topic, **changes) -> topics.TopicContent:
    data = {name: getattr(topic, name) for name in topics.CONTENT_FIELDS}
    data["identifier"] = data["identifier"] or ""
    data["industry_partner_ids"] = [p.organisation_id for p in topic.industry_partners]
    data.update(changes)
    return topics.TopicContent(**data)


def test_sgg_member_proposes_an_idea_with_a_first_revision(db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    data = topics.TopicContent(
        title="Pertussis vaccines",
        challenge="Why",
        sector_targets={"academia": "6", "sme": "20%", "patient": "0.1"},
        industry_partner_ids=[world["pharma"].id],
        eu_contribution=Decimal("1234567.89"),
    )
    topic = topics.create_topic(db, RequestContext(member), world["sgg_a"].id, data)
    db.commit()
    assert topic.status == "idea" and topic.area_id == world["area"].id
    assert topic.sector_targets == {"academia": 6, "sme": "0.2000", "patient": "0.1000"}
    assert topic.eu_contribution == Decimal("1234567.89")
    assert [r.number for r in revisions.revisions(db, topic)] == [1]
    other = make_user(sgg_id=world["sgg_b"].id)
    with pytest.raises(PermissionDenied):
        topics.create_topic(db, RequestContext(other), world["sgg_a"].id, data)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"sector_targets": {"pharma": "3"}}, "sector_targets"),
        ({"sector_targets": {"academia": "-1"}}, "sector_targets"),
        ({"sector_targets": {"academia": "70%", "sme": "40%"}}, "sector_targets"),
        ({"sector_targets": {"sme": "lots"}}, "sector_targets"),
        ({"consortium_size_min": 10, "consortium_size_max": 5}, "consortium_size_max"),
        ({"sme_share": Decimal("1.5")}, "sme_share"),
        ({"eu_contribution": Decimal("-1")}, "eu_contribution"),
        ({"eu_contribution": Decimal("1.234")}, "eu_contribution"),
        ({"industry_partner_ids": [-5]}, "industry_partner_ids"),
    ],
)
def test_bad_content_is_refused_with_a_field_error(db, world, make_user, changes, field):
    coordinator = make_user("coordinator")
    topic = make_topic(db, world, "drafting")
    before = topic.version
    with pytest.raises(InvalidInput) as exc:
        topics.update_topic(
            db, RequestContext(coordinator), topic, _content(topic, **changes), before
        )
    assert field in exc.value.field_errors
    db.rollback()
    db.refresh(topic)
    assert topic.version == before
    assert db.scalar(select(func.count()).select_from(TopicRevision)) == 0


def test_only_partner_organisations_join_the_industry_consortium(db, world, make_user):
    coordinator = make_user("coordinator")
    topic = make_topic(db, world, "drafting")
    with pytest.raises(InvalidInput) as exc:
        topics.update_topic(
            db,
            RequestContext(coordinator),
            topic,
            _content(topic, industry_partner_ids=[world["uni"].id]),
            1,
        )
    assert "partner organisations" in exc.value.field_errors["industry_partner_ids"][0]


def test_every_edit_is_a_revision_and_the_diff_shows_it_escaped(db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    topic = topics.create_topic(
        db,
        RequestContext(member),
        world["sgg_a"].id,
        topics.TopicContent(title="T", scope="line one\nline two"),
    )
    db.commit()
    topics.update_topic(
        db,
        RequestContext(member),
        topic,
        _content(topic, scope="line one\n<b>line 2</b>"),
        topic.version,
    )
    db.commit()
    old, new = revisions.get_revision(db, topic, 1), revisions.get_revision(db, topic, 2)
    diffs = {d.name: d for d in revision_diff.diff(db, old, new)}
    assert set(diffs) == {"scope"} and diffs["scope"].label == "Scope"
    kinds = [(s.kind, s.text) for s in diffs["scope"].segments]
    assert kinds == [
        ("same", "line one\n"),
        ("ins", "<b>"),
        ("same", "line "),
        ("del", "two"),
        ("ins", "2</b>"),
    ]


def test_a_stale_save_is_refused_and_changes_nothing(db, world, make_user):
    alice = make_user(sgg_id=world["sgg_a"].id)
    bob = make_user("coordinator")
    topic = make_topic(db, world, "drafting")
    opened = topic.version
    topics.update_topic(
        db, RequestContext(alice), topic, _content(topic, scope="Alice's scope"), opened
    )
    db.commit()
    with pytest.raises(Conflict) as exc:
        topics.update_topic(
            db, RequestContext(bob), topic, _content(topic, scope="Bob's scope"), opened
        )
    assert "Someone else saved this topic" in exc.value.message
    db.rollback()
    db.refresh(topic)
    assert topic.scope == "Alice's scope"
    assert [r.number for r in revisions.revisions(db, topic)] == [1]


def test_a_concurrent_save_in_another_session_is_detected_at_flush(db, world, make_user, settings):
    alice = make_user(sgg_id=world["sgg_a"].id)
    topic = make_topic(db, world, "drafting")
    opened = topic.version
    mine = _content(topic, scope="Mine")
    db.commit()  # end our read transaction; our copy of the topic stays in memory
    engine = make_engine(settings.database_url)
    other = make_session_factory(engine)()
    try:
        theirs = other.get(Topic, topic.id)
        theirs.scope = "Saved by someone else"
        other.commit()
    finally:
        other.close()
        engine.dispose()
    # Our in-memory copy is still the old version: the UPDATE ... WHERE version matches nothing.
    with pytest.raises(Conflict) as exc:
        topics.update_topic(db, RequestContext(alice), topic, mine, opened)
    assert "at the same moment" in exc.value.message
    db.rollback()
    db.refresh(topic)
    assert topic.scope == "Saved by someone else"


PAYLOADS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=//evil></iframe>",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_render_inert(payload):
    html = str(render(f"Intro\n\n{payload}\n\n**bold** [ok](https://example.org)"))
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.I), html
    assert not re.search(r"<[^>]*(href|src)\s*=\s*\"?\s*(javascript|data):", html, re.I), html
    assert "<strong>bold</strong>" in html and 'href="https://example.org"' in html

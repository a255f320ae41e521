"""The funding pages' sums shared through a real Redis: computed by the first process of a
token, read by the others, the same values (Decimal euros, cents by topic, area rows);
Redis down costs a computation, never an error."""

from __future__ import annotations

import socket
from decimal import Decimal
from typing import NamedTuple

import pytest

from services.pledges import funding, sums_cache
from services.pledges.funding import area_distribution, programme_funding, topic_lines
from tests.pledge_helpers import add_pledge, make_topic
from tests.support import require_redis


@pytest.fixture
def shared(db):
    """The session of a process with Redis (as workers/runtime.py configures it), and the
    keys it leaves, removed afterwards."""
    store = sums_cache.SharedSums(require_redis())  # CI requires it: a failure, not a skip
    db.info["pledge_sums"] = store
    yield store
    db.info.pop("pledge_sums")
    for key in store._client.scan_iter(f"{store.PREFIX}:*"):
        store._client.delete(key)


class TopicRow(NamedTuple):  # a row of funding.programme_topics_page
    id: int
    title: str
    status: str
    eu_contribution: Decimal | None
    industry_contribution: Decimal | None
    area_name: str | None


def _forget_this_process() -> None:
    with sums_cache._lock:
        sums_cache._entries.clear()


def _world_with_pledges(db, world):
    topic = make_topic(db, world, status="published")
    add_pledge(db, topic, world["pharma"], "1234.56", status="confirmed")
    add_pledge(db, topic, world["pharma2"], "0.05", status="submitted")
    return topic


def test_a_second_process_reads_the_sums_the_first_computed(db, world, shared, monkeypatch):
    topic = _world_with_pledges(db, world)
    programme = world["programme"]
    first = programme_funding(db, programme)
    areas = area_distribution(db, programme)
    page = [TopicRow(topic.id, topic.title, topic.status, topic.eu_contribution,
                     topic.industry_contribution, None)]  # fmt: skip
    lines = topic_lines(db, programme, page)
    token = programme.pledge_sums_token
    assert {k.decode().split(":")[-1] for k in shared._client.keys(f"*:{token}:*")} == {
        "sums", "areas", "topic sums"
    }  # fmt: skip

    _forget_this_process()  # another process: nothing of its own yet

    def summing_again(*_args, **_kwargs):
        raise AssertionError("summed again instead of reading Redis")

    monkeypatch.setattr(funding, "programme_sums", summing_again)
    monkeypatch.setattr(funding, "_area_sums", summing_again)
    monkeypatch.setattr(funding, "_topic_sums", summing_again)
    again = programme_funding(db, programme)
    assert again.pledged == first.pledged == Decimal("1234.61")
    assert again.confirmed_by_kind == first.confirmed_by_kind
    assert again.eu_match == first.eu_match and again.envelope_used == first.envelope_used
    assert [(a.area, a.eu, a.industry) for a in area_distribution(db, programme)] == [
        (a.area, a.eu, a.industry) for a in areas
    ]
    assert topic_lines(db, programme, page) == lines
    assert lines[0].confirmed == Decimal("1234.56") and lines[0].pledged == Decimal("1234.61")


def test_a_new_token_is_summed_again(db, world, shared):
    topic = _world_with_pledges(db, world)
    programme = world["programme"]
    assert programme_funding(db, programme).pledged == Decimal("1234.61")
    add_pledge(db, topic, world["pharma"], "1.00", status="submitted")
    _forget_this_process()
    assert programme_funding(db, programme).pledged == Decimal("1235.61")


def test_redis_down_costs_a_computation_not_an_error(db, world, caplog):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db.info["pledge_sums"] = sums_cache.SharedSums(f"redis://127.0.0.1:{port}/0")
    try:
        _world_with_pledges(db, world)
        _forget_this_process()
        assert programme_funding(db, world["programme"]).pledged == Decimal("1234.61")
    finally:
        db.info.pop("pledge_sums")
    assert "Redis read failed" in caplog.text and "Redis write failed" in caplog.text


def test_an_unreadable_entry_is_summed_again(db, world, shared, caplog):
    _world_with_pledges(db, world)
    programme = world["programme"]
    token = programme.pledge_sums_token
    for what, junk in (("sums", b"not json"), ("areas", b'{"a": 1}'), ("topic sums", b"[[1]]")):
        shared._client.set(f"{shared.PREFIX}:{programme.id}:{token}:{what}", junk)
    _forget_this_process()
    assert programme_funding(db, programme).pledged == Decimal("1234.61")
    assert [(a.area, a.industry) for a in area_distribution(db, programme)][-1][1] == Decimal(
        "1234.56"
    )
    assert "not JSON" in caplog.text and "unreadable entry" in caplog.text

"""The request context: who acts, from which address, and the public URL that makes the
links of notifications absolute (the web layer's: tests/web/test_request_context_web.py)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from models import AuditEntry, OutboxMessage
from services.core.context import RequestContext
from services.core.errors import PermissionDenied
from services.topics import lifecycle
from tests.topic_support import make_topic


def test_context_is_frozen_and_builds_links(settings, make_user):
    user = make_user()
    ctx = RequestContext(user, client_ip="10.0.0.7", public_url="https://pm.example")
    assert ctx.link("/topics/3") == "https://pm.example/topics/3"
    assert RequestContext(user).link("/topics/3") == "/topics/3"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.actor = None  # type: ignore[misc]
    task = RequestContext.for_settings(settings)
    assert (task.actor, task.client_ip, task.public_url) == (None, "", settings.public_url)
    with pytest.raises(PermissionDenied):
        _ = task.user


def test_a_use_case_takes_ip_and_links_from_the_context(db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    make_user("coordinator")
    topic = make_topic(db, world, "idea")
    ctx = RequestContext(member, client_ip="10.0.0.7", public_url="https://pm.example")
    lifecycle.transition(db, ctx, topic, "submit")
    db.commit()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "topic.submit")).one()
    assert entry.actor_id == member.id and entry.ip == "10.0.0.7"
    links = set(db.scalars(select(OutboxMessage.link)))
    assert links == {f"https://pm.example/topics/{topic.id}"}

"""schemathesis against /api/v1/openapi.json, through the WSGI app, with seeded data.

Valid and invalid inputs (positive and negative generation) for every operation, with the
tokens of three users (a coordinator's write token, an SGG member's read token, a partner
representative's write token); path ids are often replaced by ids of real objects so the
GET and action endpoints answer with real data. Every response must be no 5xx, conform to
the documented schema, content type and status codes.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

import models
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from services.notifications import notify
from tests.api.conftest import bearer
from tests.pledge_helpers import add_pledge
from tests.topic_support import make_topic

# Generated inputs meet the production database, which refuses more than SQLite (NUL bytes).
pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


def _seed(
    runtime: Any, db: Any, world: dict[str, Any], pool: dict[str, Any], make_user: Any
) -> dict:
    coordinator = make_user("coordinator")
    member = make_user(sgg_id=world["sgg_a"].id)
    rep = make_user(org_id=world["pharma"].id)
    call = models.Call(
        programme=world["programme"],
        identifier="FUZZ-CALL",
        title="Fuzz call",
        call_type="two_stage",
        stage1_deadline=datetime.now(UTC) + timedelta(days=30),
        stage2_deadline=datetime.now(UTC) + timedelta(days=120),
    )
    db.add(call)
    db.commit()
    topics = [
        make_topic(db, world, status, title=f"Fuzz {status}", call=call)
        for status in ("idea", "screening", "drafting", "consultation", "approved", "published")
    ]
    topics.append(make_topic(db, world, "drafting", title="Other SGG", sgg=world["sgg_b"]))
    pledges = [
        add_pledge(db, topics[2], world["pharma"], "1000.00", status="draft"),
        add_pledge(db, topics[2], world["pharma"], "2500.50", status="submitted"),
        add_pledge(
            db, topics[5], world["pharma"], "300.00", kind="ikop", status="confirmed",
            eu_match=300,
        ),
        add_pledge(db, topics[5], world["pharma2"], "777.77", status="submitted"),
    ]  # fmt: skip
    for user in (coordinator, member, rep):
        for i in range(3):
            notify.notify(db, "test.event", [user], subject=f"Note {i}", summary="Hi", link="")
    req, _ = consortia.request_match(db, RequestContext(member), pool["topic"].id, {"size": 6})
    db.commit()
    runtime.dispatcher.wait_idle()
    db.expire_all()
    # Interests in the published topic: the rep's own, and one nobody of the three may delete.
    interests = [
        models.TopicInterest(topic_id=topics[5].id, organisation_id=org.id, note="We bring")
        for org in (world["pharma"], world["pharma2"])
    ]
    db.add_all(interests)
    # An invitation of the representative's organisation, for the invitations API.
    seat = models.SuggestedMember(
        request_id=req.id, organisation_id=world["pharma"].id, rank=99, score=0.1
    )
    db.add(seat)
    db.flush()
    invitation = models.Invitation(
        request_id=req.id,
        member_id=seat.id,
        organisation_id=world["pharma"].id,
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )
    db.add(invitation)
    db.commit()
    ids = {
        "topic_id": [t.id for t in topics] + [pool["topic"].id],
        "pledge_id": [p.id for p in pledges],
        "org_id": [o.id for o in pool["orgs"][:5]] + [world["pharma"].id],
        "request_id": [req.id],
        "member_id": [m.id for m in req.members],
        "interest_id": [i.id for i in interests],
        "call_id": [call.id],
        "invitation_id": [invitation.id],
        "item_id": [m.id for m in db.query(models.OutboxMessage).filter_by(channel="inbox").all()],
    }
    return {"users": (coordinator, member, rep), "ids": ids}


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    tokens: list[str],
    ids: dict[str, list[int]],
    answered: Counter[tuple[str, int]],
) -> None:
    """Run one operation's generated cases; path ids are often swapped for real ones."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        token=st.sampled_from(tokens),
        real=st.booleans(),
        pick=st.integers(min_value=0, max_value=50),
    )
    def run(case: Any, token: str, real: bool, pick: int) -> None:
        if real and mode is GenerationMode.POSITIVE:
            for name in list(case.path_parameters or {}):
                choices = ids.get(name)
                if choices:
                    case.path_parameters[name] = choices[pick % len(choices)]
        response = case.call_and_validate(headers=bearer(token), checks=CHECKS)
        answered[operation.label, response.status_code // 100] += 1

    run()


def test_api_conforms_to_its_openapi_document(app, runtime, db, world, pool, make_user, token_for):
    seeded = _seed(runtime, db, world, pool, make_user)
    coordinator, member, rep = seeded["users"]
    tokens = [
        token_for(coordinator, "write"),
        token_for(member, "read"),
        token_for(rep, "write"),
    ]
    ids = seeded["ids"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 29
    failures: list[str] = []
    answered: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            try:
                _fuzz(operation, mode, examples, tokens, ids, answered)
            except Exception as exc:  # collect every operation's failure, then report
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
    # The seeded objects were reached: every GET answered with real data at least once.
    unreached = [op.label for op in operations if op.method == "get" and not answered[op.label, 2]]
    assert not unreached, unreached
    assert sum(n for (label, kind), n in answered.items() if kind == 2) > 100, answered

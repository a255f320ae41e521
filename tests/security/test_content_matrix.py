"""The authorization matrix, for the content of pages and answers.

test_authz_matrix checks who may open each object. This test checks what the pages a role
*may* open show of the objects it may *not*: for every role, no title of a topic it cannot
open, no amount or link of a pledge it cannot open, no suggestion (link to a match request)
or invitation it cannot open and no other user's notification appears anywhere on the
organisation pages, the topic pages, the pledge pages, the dashboard, the inbox, search
results and the API answers about them. Every (role x object x page) triple is one check;
the test prints their number.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.security import authz_world
from tests.security.authz_rules import MATCH_A, MATCH_B, OFFICE, SEES_A, SEES_B, roles
from tests.security.authz_world import ROLES
from tests.security.test_authz_matrix import Sessions

# Who may open each object (the same sets as the rows of the authorization matrix).
OPENS: dict[str, frozenset[str]] = {
    "topic_a": SEES_A,
    "topic_b": SEES_B,
    "pledge_x": OFFICE | {"rep_x"},
    "pledge_y": OFFICE | {"rep_y"},
    "match_a": MATCH_A,
    "match_b": MATCH_B,
    "invitation_x": MATCH_A | {"rep_x"},
    "invitation_y": MATCH_B | {"rep_y"},
    "victim_inbox": frozenset(),
    **{f"inbox_{role}": roles(role) for role in authz_world.SIGNED_IN},
}


def markers(world: dict[str, Any]) -> dict[str, list[re.Pattern[str]]]:
    """What gives each object away on a page or in a JSON answer."""

    def link(path: str) -> re.Pattern[str]:
        return re.compile(re.escape(path) + r"(?![0-9])")

    found = {
        "topic_a": [re.compile("draft-a"), link(f"/topics/{world['topic_a']}")],
        "topic_b": [re.compile("draft-b"), link(f"/topics/{world['topic_b']}")],
        "pledge_x": [re.compile(r"111,?111\.11"), link(f"/pledges/{world['pledge_x']}")],
        "pledge_y": [re.compile(r"222,?222\.22"), link(f"/pledges/{world['pledge_y']}")],
        "match_a": [link(f"/consortia/{world['match_a']}")],
        "match_b": [link(f"/consortia/{world['match_b']}")],
        "invitation_x": [link(f"/consortia/invitations/{world['invitation_x']}")],
        "invitation_y": [link(f"/consortia/invitations/{world['invitation_y']}")],
        "victim_inbox": [re.compile(r"For V\b")],
    }
    for role in authz_world.SIGNED_IN:
        found[f"inbox_{role}"] = [re.compile(rf"For {role}\b")]
    return found


def pages(w: dict[str, Any]) -> list[tuple[str, bool]]:
    """(url, is_api): every page and answer that shows topics, pledges, organisations,
    suggestions, invitations or notifications; a role that may not open one still gets a
    refusal page, which must not give anything away either."""
    web = [
        "/dashboard",
        "/inbox/",
        *(f"/organisations/{w[o]}" for o in ("org_x", "org_y", "uni")),
        "/organisations/?q=Pharma",
        "/organisations/?q=University",
        "/topics/",
        "/topics/?q=draft",
        "/topics/export.csv",
        *(f"/topics/{w[t]}" for t in ("published", "topic_a", "topic_b")),
        f"/public/topics/{w['published']}",
        f"/calls/{w['call']}",
        f"/public/calls/{w['call']}",
        "/pledges/",
        *(f"/pledges/{w[p]}" for p in ("pledge_x", "pledge_y")),
        f"/pledges/funding/topics/{w['published']}",
        *(f"/pledges/funding/organisations/{w[o]}" for o in ("org_x", "org_y")),
        "/pledges/applications",
        "/consortia/",
        "/consortia/invitations",
        *(f"/consortia/{w[m]}" for m in ("match_a", "match_b")),
        *(f"/consortia/invitations/{w[i]}" for i in ("invitation_x", "invitation_y")),
    ]
    api = [
        "/api/v1/me",
        "/api/v1/topics",
        "/api/v1/topics?q=draft",
        *(f"/api/v1/topics/{w[t]}" for t in ("published", "topic_a", "topic_b")),
        *(f"/api/v1/topics/{w[t]}/match-requests" for t in ("topic_a", "topic_b")),
        *(f"/api/v1/match-requests/{w[m]}" for m in ("match_a", "match_b")),
        "/api/v1/pledges",
        *(f"/api/v1/pledges/{w[p]}" for p in ("pledge_x", "pledge_y")),
        "/api/v1/organisations?q=Pharma",
        *(f"/api/v1/organisations/{w[o]}" for o in ("org_x", "org_y", "uni")),
        f"/api/v1/calls/{w['call']}",
        "/api/v1/notifications",
    ]
    return [(u, False) for u in web] + [(u, True) for u in api]


@pytest.fixture
def content_world(app, db) -> dict[str, Any]:
    return authz_world.build(db)


def test_no_page_shows_what_its_viewer_cannot_open(app, content_world, capsys):
    from webapp.extensions import limiter

    world = content_world
    sessions = Sessions(app, world)
    found = markers(world)
    leaks: list[str] = []
    checks = 0
    seen: dict[tuple[str, str], str] = {}
    limiter.enabled = False
    try:
        for role in ROLES:
            hidden = [o for o, allowed in OPENS.items() if role not in allowed]
            for url, api in pages(world):
                response = sessions.request(role, "GET", url, api, {})
                assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
                body = response.get_data(as_text=True)
                seen[(role, url)] = body
                for name in hidden:
                    checks += 1
                    hits = [p.pattern for p in found[name] if p.search(body)]
                    if hits:
                        leaks.append(f"{url} as {role} shows {name} ({', '.join(hits)})")
    finally:
        limiter.enabled = True
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)

    # The markers are real: who may open each object sees it on the organisation page.
    org_x, uni = f"/organisations/{world['org_x']}", f"/organisations/{world['uni']}"
    expected = [
        ("coordinator", org_x, ("pledge_x", "topic_a", "match_a", "invitation_x")),
        ("rep_x", org_x, ("pledge_x", "topic_a", "invitation_x")),
        ("sgg_a", org_x, ("topic_a", "match_a", "invitation_x")),
        ("sgg_a", uni, ("match_a",)),
        ("sgg_b", uni, ("match_b",)),
        ("admin", f"/organisations/{world['org_y']}", ("pledge_y", "topic_b", "match_b")),
    ]
    for role, url, names in expected:
        for name in names:
            assert any(p.search(seen[(role, url)]) for p in found[name]), (role, url, name)
    with capsys.disabled():
        print(f"\ncontent checks (role x object x page): {checks}")


def test_the_sql_clauses_select_exactly_what_the_policies_allow(db, content_world):
    """Each visibility clause (lists, the organisation page) agrees with its policy function
    (single objects), for every role of the matrix and every object of its world."""
    from sqlalchemy import select

    import models
    from services import policies

    pairs = [
        (models.Topic, policies.topic_visibility_clause, policies.can_view_topic),
        (models.Pledge, policies.pledge_visibility_clause, policies.can_view_pledge),
        (models.MatchRequest, policies.match_visibility_clause, policies.can_view_match),
        (models.Invitation, policies.invitation_visibility_clause, policies.can_view_invitation),
    ]
    checked = 0
    for role, email in content_world["emails"].items():
        user = db.scalar(select(models.User).where(models.User.email == email))
        for model, clause, allowed in pairs:
            rows = list(db.scalars(select(model)))
            assert rows, model
            by_sql = set(db.scalars(select(model.id).where(clause(user))))
            by_policy = {row.id for row in rows if allowed(user, row)}
            assert by_sql == by_policy, (role, model.__name__, by_sql, by_policy)
            checked += 1
    assert checked == len(content_world["emails"]) * len(pairs)

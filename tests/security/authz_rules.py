"""The rule table of the authorization matrix (test_authz_matrix.py): for each endpoint,
one or more rows naming the URL arguments (objects of the world of ``authz_world``), the
roles allowed and what the others get."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.security.authz_world import ROLES, SIGNED_IN

ALL = frozenset(ROLES)
SIGNED = frozenset(SIGNED_IN)
ADMIN = frozenset({"admin"})
OFFICE = frozenset({"admin", "coordinator"})
NOBODY: frozenset[str] = frozenset()


def roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    assert not unknown, unknown
    return frozenset(names)


@dataclass(frozen=True)
class Row:
    """Who may use the endpoint with these arguments; the rest get ``deny`` (or ``other``)."""

    allow: frozenset[str]
    args: dict[str, str] = field(default_factory=dict)
    deny: int = 403
    other: dict[str, Any] = field(default_factory=dict)  # role -> outcome, overrides
    methods: tuple[str, ...] = ()  # empty: every method of the rule
    data: dict[str, str] = field(default_factory=dict)  # a minimal form that validates
    why: str = ""

    def expect(self, role: str, api: bool) -> Any:
        if role in self.other:
            return self.other[role]
        if role in self.allow:
            return "ok"
        if role == "anonymous":
            return 401 if api else "login"
        return self.deny


# Who sees topic A (SGG A, industry partner X) / topic B (SGG B, Y), both in drafting.
SEES_A = roles("admin", "coordinator", "sgg_a", "rep_x")
SEES_B = roles("admin", "coordinator", "sgg_b", "rep_y")
MATCH_A = roles("admin", "coordinator", "sgg_a")
MATCH_B = roles("admin", "coordinator", "sgg_b")
PARTNER_REPS = roles("rep_x", "rep_y")


def topic_rows(
    allow_a: frozenset[str],
    allow_b: frozenset[str],
    key: str = "topic_id",
    refused: int = 403,
    **extra: Any,
) -> list[Row]:
    """Topic A and topic B: those who see a topic but may not act get 403, the rest 404."""
    base = extra.pop("args", {})
    data = extra.pop("data", {})
    return [
        Row(
            allow,
            {**base, key: topic},
            deny=404,
            other=dict.fromkeys(sees - allow, refused),
            # the topic's own industry partner kept, so an edit leaves who sees it unchanged
            data={k: org if v == "@org" else v for k, v in data.items()},
            **extra,
        )
        for allow, sees, topic, org in (
            (allow_a, SEES_A, "topic_a", "org_x"),
            (allow_b, SEES_B, "topic_b", "org_y"),
        )
    ]


def match_rows(
    allow_a: frozenset[str], allow_b: frozenset[str], member: bool = False, **extra: Any
) -> list[Row]:
    """Match request A (topic A, asked by sgg_a) and B; hidden (404) from who cannot see it."""
    base = extra.pop("args", {})
    rows = []
    for allow, sees, req, mem in (
        (allow_a, MATCH_A, "match_a", "member_a"),
        (allow_b, MATCH_B, "match_b", "member_b"),
    ):
        args = {**base, "request_id": req, **({"member_id": mem} if member else {})}
        rows.append(Row(allow, args, deny=404, other=dict.fromkeys(sees - allow, 403), **extra))
    return rows


def pledge_rows(allow_x: frozenset[str], allow_y: frozenset[str], **extra: Any) -> list[Row]:
    """Pledge of X and of Y: the office sees both, each representative only their own."""
    rows = []
    for allow, rep, pledge in ((allow_x, "rep_x", "pledge_x"), (allow_y, "rep_y", "pledge_y")):
        sees = OFFICE | {rep}
        rows.append(
            Row(
                allow,
                {"pledge_id": pledge},
                deny=404,
                other=dict.fromkeys(sees - allow, 403),
                **extra,
            )
        )
    return rows


RULES: dict[str, list[Row]] = {
    # --- public and account pages --------------------------------------------------------
    "main.index": [Row(SIGNED)],
    "main.health_check": [Row(ALL)],
    "main.live": [Row(ALL)],
    "main.dashboard": [Row(SIGNED)],
    "auth.login": [Row(ALL)],
    "auth.logout": [
        Row(NOBODY, other=dict.fromkeys(ROLES, "login"), why="signed out, back to sign-in")
    ],
    "auth.reset_request": [Row(ALL)],
    "auth.redeem": [
        Row(NOBODY, {"token": "=not-a-real-token"}, deny=404, other={"anonymous": 404})
    ],
    "auth.change_password": [Row(SIGNED)],
    "account.tokens": [Row(SIGNED)],
    "account.revoke": [
        Row(SIGNED, {"token_id": "own_token"}, why="each role revokes its own spare token"),
        Row(NOBODY, {"token_id": "victim_token"}, deny=404, why="user V's token"),
    ],
    # --- administration ------------------------------------------------------------------
    "admin.users": [Row(ADMIN)],
    "admin.user_detail": [Row(ADMIN, {"user_id": "victim"})],
    "admin.set_role": [Row(ADMIN, {"user_id": "victim"}, data={"role": "=viewer"})],
    "admin.add_sgg": [Row(ADMIN, {"user_id": "victim"})],
    "admin.add_organisation": [Row(ADMIN, {"user_id": "victim"})],
    "admin.remove_membership": [
        Row(
            ADMIN,
            {"user_id": "victim", "kind": "=sgg", "membership_id": "victim_sgg_membership"},
        )
    ],
    "admin.outbox": [Row(ADMIN)],
    "admin.outbox_message": [Row(ADMIN, {"message_id": "email"})],
    "admin.resend": [Row(ADMIN, {"message_id": "email"})],
    "admin.background": [Row(ADMIN)],
    # --- notifications -------------------------------------------------------------------
    "notifications.inbox": [Row(SIGNED)],
    "notifications.settings": [Row(SIGNED)],
    "notifications.read_all": [Row(SIGNED)],
    "notifications.read": [
        Row(SIGNED, {"item_id": "own_inbox"}),
        Row(NOBODY, {"item_id": "victim_inbox"}, deny=404, why="user V's notification"),
    ],
    "notifications.open_item": [
        Row(SIGNED, {"item_id": "own_inbox"}),
        Row(NOBODY, {"item_id": "victim_inbox"}, deny=404, why="user V's notification"),
    ],
    # --- topics and calls ----------------------------------------------------------------
    "topics.index": [Row(SIGNED)],
    "topics.export": [Row(SIGNED, {"fmt": "=csv"})],
    "topics.new": [Row(roles("admin", "coordinator", "sgg_a", "sgg_b"))],
    "topics.detail": [
        *topic_rows(SEES_A, SEES_B),
        Row(SIGNED, {"topic_id": "published"}),
    ],
    "topics.revisions": topic_rows(SEES_A, SEES_B),
    "topics.diff": topic_rows(SEES_A, SEES_B, args={"?a": "=1", "?b": "=1"}),
    "topics.edit": topic_rows(SEES_A, SEES_B, data={"industry_partner_ids": "@org"}),
    "topics.add_comment": topic_rows(SEES_A, SEES_B),
    "topics.transition": topic_rows(SEES_A, SEES_B, args={"name": "=submit"}),
    "topics.assign_reviewer": topic_rows(OFFICE, OFFICE, data={"reviewer_id": "victim"}),
    # Only an assigned reviewer declares or scores; nobody in the matrix is assigned.
    "topics.declare_coi": topic_rows(NOBODY, NOBODY, data={"coi": "=none"}),
    "topics.submit_review": topic_rows(
        NOBODY,
        NOBODY,
        data={"excellence": "=3", "impact": "=3", "implementation": "=3", "comments": "=ok"},
    ),
    "topics.calls": [Row(SIGNED)],
    "topics.call_detail": [Row(SIGNED, {"call_id": "call"})],
    "topics.new_call": [Row(OFFICE)],
    "topics.edit_call": [Row(OFFICE, {"call_id": "call"})],
    "topics.public_calls": [Row(ALL)],
    "topics.public_call": [Row(ALL, {"call_id": "call"})],
    "topics.public_topic": [
        Row(ALL, {"topic_id": "published"}),
        Row(NOBODY, {"topic_id": "topic_a"}, deny=404, other={"anonymous": 404}),
    ],
    # --- organisations -------------------------------------------------------------------
    "organisations.index": [Row(SIGNED)],
    "organisations.show": [Row(SIGNED, {"org_id": "org_x"})],
    "organisations.edit": [
        Row(roles("admin", "coordinator", "rep_x"), {"org_id": "org_x"}),
        Row(roles("admin", "coordinator", "rep_y"), {"org_id": "org_y"}),
    ],
    "organisations.duplicates": [Row(ADMIN)],
    "organisations.merge": [Row(ADMIN)],
    "organisations.imports": [Row(ADMIN)],
    "organisations.import_run": [Row(ADMIN, {"run_id": "run"})],
    "organisations.import_status": [Row(ADMIN, {"run_id": "run"})],
    "organisations.lineages": [Row(ADMIN)],
    "organisations.edit_lineage": [
        Row(ADMIN, {"programme_id": "programme"}, why="an empty lineage is a valid form")
    ],
    "organisations.community_page": [Row(SIGNED, {"programme_id": "programme"})],
    "organisations.community_export": [
        Row(SIGNED, {"programme_id": "programme", "fmt": "=csv"}),
        Row(SIGNED, {"programme_id": "programme", "fmt": "=xlsx"}),
    ],
    # --- pledges and funding -------------------------------------------------------------
    "pledges.mine": [Row(PARTNER_REPS)],
    "pledges.new": [Row(PARTNER_REPS)],
    "pledges.detail": pledge_rows(OFFICE | {"rep_x"}, OFFICE | {"rep_y"}),
    "pledges.edit": pledge_rows(roles("rep_x"), roles("rep_y")),
    "pledges.submit": pledge_rows(roles("rep_x"), roles("rep_y")),
    "pledges.withdraw": pledge_rows(roles("rep_x"), roles("rep_y")),
    "pledges.confirm": pledge_rows(OFFICE, OFFICE),
    "pledges.reject": pledge_rows(OFFICE, OFFICE, data={"reason": "=Not eligible."}),
    "pledges.applications": [Row(OFFICE | PARTNER_REPS)],
    "pledges.decide": [
        Row(OFFICE, {"application_id": app}, data={"decision": "=approve"})
        for app in ("application_x", "application_y")
    ],
    "pledges.funding": [Row(OFFICE)],
    "pledges.programme": [Row(OFFICE, {"programme_id": "programme"})],
    "pledges.export": [
        Row(OFFICE, {"programme_id": "programme", "table": "=pledges", "fmt": "=csv"})
    ],
    "pledges.partner": [
        Row(OFFICE | {"rep_x"}, {"organisation_id": "org_x"}),
        Row(OFFICE | {"rep_y"}, {"organisation_id": "org_y"}),
    ],
    "pledges.topic": topic_rows(MATCH_A, MATCH_B),
    "pledges.topic_json": topic_rows(MATCH_A, MATCH_B),
    # --- consortia -----------------------------------------------------------------------
    "consortia.index": [Row(SIGNED)],
    "consortia.new": topic_rows(MATCH_A, MATCH_B, key="?topic_id", refused=404),
    "consortia.compare": [
        Row(MATCH_A, {"?a": "match_a", "?b": "match_a"}, deny=404),
        Row(OFFICE, {"?a": "match_a", "?b": "match_b"}, deny=404, why="B hidden from SGG A"),
    ],
    "consortia.expertise_index": [Row(ADMIN)],
    "consortia.show": match_rows(MATCH_A, MATCH_B),
    "consortia.progress": match_rows(MATCH_A, MATCH_B),
    "consortia.member_action": [
        *match_rows(MATCH_A, MATCH_B, member=True, args={"action": "=lock"}),
        Row(
            NOBODY,
            {"request_id": "match_a", "member_id": "member_b", "action": "=lock"},
            deny=404,
            other=dict.fromkeys(MATCH_A, 404),
            why="a member of request B reached through request A",
        ),
    ],
    "consortia.swap": match_rows(MATCH_A, MATCH_B, member=True, data={"organisation_id": "org_y"}),
    "consortia.add": match_rows(MATCH_A, MATCH_B, data={"organisation_id": "org_y"}),
    "consortia.reoptimise": match_rows(MATCH_A, MATCH_B),
    "consortia.rerun": match_rows(MATCH_A, MATCH_B),
    "consortia.finalise": match_rows(OFFICE, OFFICE),
    "consortia.invite_alternate": match_rows(
        OFFICE, OFFICE, member=True, data={"organisation_id": "org_y"}
    ),
    "consortia.my_invitations": [Row(SIGNED)],
    # An invitation is seen by the invited organisation and by who sees its match request.
    "consortia.invitation": [
        Row(MATCH_A | {"rep_x"}, {"invitation_id": "invitation_x"}, deny=404),
        Row(MATCH_B | {"rep_y"}, {"invitation_id": "invitation_y"}, deny=404),
    ],
    "consortia.respond": [
        Row(
            roles("rep_x"),
            {"invitation_id": "invitation_x", "answer": "=accept"},
            deny=404,
            other=dict.fromkeys(MATCH_A, 403),
        ),
        Row(
            roles("rep_y"),
            {"invitation_id": "invitation_y", "answer": "=accept"},
            deny=404,
            other=dict.fromkeys(MATCH_B, 403),
        ),
    ],
    # --- API ------------------------------------------------------------------------------
    "api-docs.openapi_json": [Row(ALL)],
    "api_docs.docs": [Row(ALL)],
    "api_me.Me": [Row(SIGNED)],
    "api_calls.Calls": [Row(SIGNED)],
    "api_calls.CallItem": [Row(SIGNED, {"call_id": "call"})],
    "api_organisations.Organisations": [Row(SIGNED)],
    "api_organisations.OrganisationItem": [Row(SIGNED, {"org_id": "org_x"})],
    "api_notifications.Inbox": [Row(SIGNED)],
    "api_notifications.ReadAll": [Row(SIGNED)],
    "api_notifications.Read": [
        Row(SIGNED, {"item_id": "own_inbox"}),
        Row(NOBODY, {"item_id": "victim_inbox"}, deny=404, why="user V's notification"),
    ],
    "api_topics.Topics": [
        Row(SIGNED, methods=("GET",)),
        Row(
            roles("admin", "coordinator", "sgg_a"),
            methods=("POST",),
            data={"sgg_id": "sgg_a", "title": "=An idea"},
            why="an idea for SGG A: sgg_b is refused",
        ),
    ],
    "api_topics.TopicItem": [
        *topic_rows(SEES_A, SEES_B, methods=("GET",)),
        *topic_rows(SEES_A, SEES_B, methods=("PATCH",), data={"version": "=1", "note": "=x"}),
    ],
    "api_topics.Transitions": topic_rows(SEES_A, SEES_B, data={"name": "=submit"}),
    "api_matches.TopicMatches": [
        *topic_rows(MATCH_A, MATCH_B, refused=404, methods=("GET",)),
        *topic_rows(MATCH_A, MATCH_B, methods=("POST",)),
    ],
    "api_matches.MatchItem": match_rows(MATCH_A, MATCH_B),
    "api_pledges.Pledges": [
        Row(SIGNED, methods=("GET",), why="a list of what the user may read"),
        Row(
            roles("rep_x"),
            methods=("POST",),
            data={
                "topic_id": "published",
                "organisation_id": "org_x",
                "kind": "=fc",
                "amount": "=1000.00",
            },
            why="a pledge for organisation X: rep_y is refused",
        ),
    ],
    "api_pledges.PledgeItem": pledge_rows(OFFICE | {"rep_x"}, OFFICE | {"rep_y"}),
    "api_pledges.Submit": pledge_rows(roles("rep_x"), roles("rep_y")),
    "api_pledges.Withdraw": pledge_rows(roles("rep_x"), roles("rep_y")),
    "api_pledges.Confirm": pledge_rows(OFFICE, OFFICE),
    "api_pledges.Reject": pledge_rows(OFFICE, OFFICE, data={"reason": "=Not eligible."}),
}

"""The rule table of the authorization matrix (test_authz_matrix.py): per endpoint, rows
naming the URL arguments (objects of ``authz_world``), the roles allowed, what others get."""

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
    assert not (unknown := set(names) - set(ROLES)), unknown
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
# Who sees every expression of interest in the published topic (SGG A's): the office, SGG A.
SEES_INTERESTS = MATCH_A


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
    allow_a: frozenset[str],
    allow_b: frozenset[str],
    member: bool = False,
    world: str = "match",
    **extra: Any,
) -> list[Row]:
    """Match request A (topic A, asked by sgg_a) and B; hidden (404) from who cannot see it.
    ``world="loop"``: the requests the API's review loop edits (``loop_a``, ``loop_b``)."""
    base = extra.pop("args", {})
    rows = []
    members = "member" if world == "match" else f"{world}_member"
    for allow, sees, req, mem in (
        (allow_a, MATCH_A, f"{world}_a", f"{members}_a"),
        (allow_b, MATCH_B, f"{world}_b", f"{members}_b"),
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


# Who sees and keeps the contacts of X (and of Y): the office and the organisation's people.
KEEPS_X = OFFICE | {"rep_x"}
KEEPS_Y = OFFICE | {"rep_y"}


def org_rows(**extra: Any) -> list[Row]:
    """Contacts of organisation X and of Y: the others are refused (403; the organisation's
    page itself is public to the signed-in)."""
    return [
        Row(keeps, {"org_id": org}, **extra)
        for keeps, org in ((KEEPS_X, "org_x"), (KEEPS_Y, "org_y"))
    ]


def join_rows(**extra: Any) -> list[Row]:
    """User V's requests to join X and Y: decided by the office and that organisation's
    representatives; hidden (404) from everyone else."""
    return [
        Row(keeps, {"request_id": jr}, deny=404, **extra)
        for keeps, jr in ((KEEPS_X, "join_x"), (KEEPS_Y, "join_y"))
    ]


RULES: dict[str, list[Row]] = {
    # --- public and account pages --------------------------------------------------------
    "main.index": [Row(SIGNED)],
    "main.health_check": [Row(ALL)],
    "main.live": [Row(ALL)],
    "metrics": [
        Row(
            NOBODY,
            deny=404,
            other={"anonymous": 404},
            why="off in production without METRICS_TOKEN: test_metrics.py",
        )
    ],
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
    "auth.sign_up": [Row(ALL, why="a signed-in user is sent to the dashboard")],
    "auth.verify": [
        Row(NOBODY, {"token": "=not-a-real-token"}, deny=404, other={"anonymous": 404})
    ],
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
    "admin.programmes": [Row(ADMIN)],
    "admin.programme_settings": [
        Row(
            ADMIN,
            {"programme_id": "programme"},
            data={
                "threshold_each": "=3",
                "threshold_total": "=10",
                "stage1_threshold_each": "=4",
                "matching_ratio": "=1",
                "partner_envelope": "=213000000.00",
                "ikaa_max_share": "=40",
                "third_country_max_share": "=20",
                "min_contribution_share": "=45",
                "min_consortium_size": "=3",
                "min_countries": "=3",
                "reminder_days": "=14, 7, 1",
                "timezone": "=Europe/Brussels",
            },
            why="the rules of the demo defaults: a valid form",
        )
    ],
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
    "topics.reviewer_picker": topic_rows(OFFICE, OFFICE),
    "topics.assign_reviewer": topic_rows(OFFICE, OFFICE, data={"reviewer_id": "victim"}),
    "topics.review_deadline": [
        Row(
            OFFICE,
            {"topic_id": topic, "review_id": review},
            deny=404,
            other=dict.fromkeys(sees - OFFICE, 403),
            data={"due_date": "="},
            why="user V's review; an empty date is the programme's default deadline",
        )
        for topic, review, sees in (
            ("topic_a", "review_a", SEES_A),
            ("topic_b", "review_b", SEES_B),
        )
    ],
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
    "topics.add_call_topic": [
        Row(
            OFFICE,
            {"call_id": "call"},
            data={"topic_id": "published"},
            why="the office is told (409) the topic is already in the call",
        )
    ],
    "topics.remove_call_topic": [
        Row(
            OFFICE,
            {"call_id": "call", "topic_id": "published"},
            why="the office is told (409) a published call keeps its topics",
        )
    ],
    "topics.public_calls": [Row(ALL)],
    "topics.public_call": [Row(ALL, {"call_id": "call"})],
    "topics.public_topic": [
        Row(ALL, {"topic_id": "published"}),
        Row(NOBODY, {"topic_id": "topic_a"}, deny=404, other={"anonymous": 404}),
    ],
    # --- organisations -------------------------------------------------------------------
    "organisations.index": [Row(SIGNED)],
    "organisations.show": [Row(SIGNED, {"org_id": "org_x"})],
    "organisations.involvement_page": [Row(SIGNED, {"org_id": "org_x"})],
    "organisations.edit": [
        Row(roles("admin", "coordinator", "rep_x"), {"org_id": "org_x"}),
        Row(roles("admin", "coordinator", "rep_y"), {"org_id": "org_y"}),
    ],
    "organisations.duplicates": [Row(ADMIN)],
    "organisations.merge": [Row(ADMIN)],
    "organisations.imports": [Row(ADMIN)],
    "organisations.import_run": [Row(ADMIN, {"run_id": "run"})],
    "organisations.import_status": [Row(ADMIN, {"run_id": "run"})],
    # --- people of an organisation (contacts, join requests) ------------------------------
    "people.add_contact": org_rows(
        data={"name": "=Matrix Person", "email": "=matrix.person@x.org"}
    ),
    "people.import_file": org_rows(),
    "people.edit_contact": [
        Row(
            KEEPS_X,
            {"contact_id": "contact_x"},
            deny=404,
            data={"name": "=Contact contact-x", "email": "=contact-x@x.org"},
            why="a contact is hidden from who may not see it",
        )
    ],
    "people.remove_contact": [Row(KEEPS_X, {"contact_id": "removable_contact"}, deny=404)],
    "people.join_start": [Row(SIGNED)],
    "people.join": [
        Row(SIGNED, {"org_id": "org_x"}, why="a member is told it already acts for it (200)")
    ],
    "people.join_requests": [Row(SIGNED, why="each sees the pending requests they decide")],
    "people.approve": join_rows(data={"role": "=applicant"}),
    "people.refuse": join_rows(data={"reason": "=We do not know you."}),
    "organisations.cancel_import": [Row(ADMIN, {"run_id": "run"})],
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
    "consortia.show": [
        *match_rows(MATCH_A, MATCH_B),
        Row(
            MATCH_A | {"rep_x"},
            {"request_id": "match_joined"},
            deny=404,
            why="organisation X accepted: rep_x sees the consortium read-only",
        ),
    ],
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
    # The requester (sgg_a asked for A, sgg_b for B) or a coordinator; done: a flashed 409.
    "consortia.cancel": match_rows(MATCH_A, MATCH_B),
    "consortia.cancel_index_build": [Row(ADMIN, {"version_id": "index_version"})],
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
    "consortia.close": match_rows(OFFICE, OFFICE),
    "consortia.add_contact": match_rows(
        OFFICE, OFFICE, member=True, data={"name": "=Ann Contact", "email": "=ann@example.org"}
    ),
    # The link of an invitation mail: an unknown token is 404 for everyone.
    "invitations.link": [
        Row(NOBODY, {"token": "=not-a-real-token"}, deny=404, other={"anonymous": 404})
    ],
    # --- expressions of interest (the published topic is SGG A's) --------------------------
    "interests.express": [
        Row(
            roles("rep_x"),
            {"topic_id": "published"},
            data={"organisation_id": "org_x", "note": "=We bring assays"},
            why="for organisation X: everyone else is refused (already expressed: a flash)",
        )
    ],
    "interests.edit": [
        Row(
            roles("rep_x"),
            {"interest_id": "interest_x"},
            deny=404,
            other=dict.fromkeys(SEES_INTERESTS, 403),
            data={"note": "=Edited"},
        )
    ],
    "interests.withdraw": [
        Row(
            roles("applicant"),
            {"interest_id": "interest_u"},
            deny=404,
            other=dict.fromkeys(SEES_INTERESTS, 403),
            why="the applicant's university; the office and SGG A see it, may not withdraw it",
        )
    ],
}

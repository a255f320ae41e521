"""The API half of the authorization matrix's rule table (the web half and the row
builders are in authz_rules.py): one or more rows per endpoint under /api/v1."""

from __future__ import annotations

from tests.security.authz_rules import (
    ALL,
    KEEPS_X,
    MATCH_A,
    MATCH_B,
    NOBODY,
    OFFICE,
    SEES_A,
    SEES_B,
    SEES_INTERESTS,
    SIGNED,
    Row,
    join_rows,
    match_rows,
    org_rows,
    pledge_rows,
    roles,
    topic_rows,
)

API_RULES: dict[str, list[Row]] = {
    "api-docs.openapi_json": [Row(ALL)],
    "api_docs.docs": [Row(ALL)],
    "api_me.Me": [Row(SIGNED)],
    "api_calls.Calls": [
        Row(SIGNED, methods=("GET",)),
        Row(
            OFFICE,
            methods=("POST",),
            data={"programme_id": "programme", "identifier": "=AZ-NEW", "title": "=New call"},
        ),
    ],
    "api_calls.CallItem": [
        Row(SIGNED, {"call_id": "call"}, methods=("GET",)),
        Row(OFFICE, {"call_id": "call"}, methods=("PATCH",), data={"title": "=Renamed call"}),
    ],
    "api_organisations.Organisations": [Row(SIGNED)],
    "api_organisations.OrganisationItem": [Row(SIGNED, {"org_id": "org_x"})],
    "api_people.OrganisationContacts": org_rows(
        methods=("GET", "POST"), data={"name": "=Api Person", "email": "=api.person@x.org"}
    ),
    "api_people.ContactItem": [Row(KEEPS_X, {"contact_id": "api_removable_contact"}, deny=404)],
    "api_people.JoinRequests": [Row(SIGNED, {"org_id": "org_x"}, data={"note": "=Hello"})],
    "api_people.PendingJoinRequests": [Row(SIGNED)],
    "api_people.ApproveJoinRequest": join_rows(data={"role": "=applicant"}),
    "api_people.RefuseJoinRequest": join_rows(data={"reason": "=We do not know you."}),
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
    "api_invitations.Mine": [Row(SIGNED)],
    "api_invitations.InvitationItem": [
        Row(MATCH_A | {"rep_x"}, {"invitation_id": "invitation_x"}, deny=404),
        Row(MATCH_B | {"rep_y"}, {"invitation_id": "invitation_y"}, deny=404),
    ],
    **{
        f"api_invitations.{name}": [
            Row(
                roles(rep),
                {"invitation_id": inv},
                deny=404,
                other=dict.fromkeys(sees, 403),
                data=data,
            )
            for rep, inv, sees in (
                ("rep_x", "invitation_x", MATCH_A),
                ("rep_y", "invitation_y", MATCH_B),
            )
        ]
        for name, data in (("Accept", {}), ("Decline", {"reason": "=No capacity."}))
    },
    "api_matches.CancelMatch": match_rows(MATCH_A, MATCH_B, why="done: 409 for who may cancel"),
    # The API's loop edits requests of its own (loop_a, loop_b): the web's rows finalise
    # match_a and match_b before these run. Finalise comes last in route order.
    "api_members.Members": [
        *match_rows(MATCH_A, MATCH_B, world="loop", methods=("GET",)),
        *match_rows(
            MATCH_A, MATCH_B, world="loop", methods=("POST",), data={"organisation_id": "org_y"}
        ),
    ],
    "api_members.Swap": match_rows(
        MATCH_A, MATCH_B, member=True, world="loop", data={"organisation_id": "org_y"}
    ),
    "api_members.MemberAction": [
        *match_rows(MATCH_A, MATCH_B, member=True, world="loop", args={"action": "=lock"}),
        Row(
            NOBODY,
            {"request_id": "loop_a", "member_id": "loop_member_b", "action": "=lock"},
            deny=404,
            other=dict.fromkeys(MATCH_A, 404),
            why="a member of request B reached through request A",
        ),
    ],
    "api_members.Refill": match_rows(MATCH_A, MATCH_B, world="loop"),
    "api_members.Finalise": match_rows(OFFICE, OFFICE, world="loop"),
    "api_interests.TopicInterests": [
        Row(SIGNED, {"topic_id": "published"}, methods=("GET",), why="each sees what it may"),
        *topic_rows(SEES_A, SEES_B, methods=("GET",)),
        Row(
            roles("rep_x"),
            {"topic_id": "published"},
            methods=("POST",),
            data={"organisation_id": "org_x", "note": "=We bring assays"},
            why="for organisation X (already expressed: 409); everyone else is refused",
        ),
    ],
    "api_interests.InterestItem": [
        Row(SEES_INTERESTS | {"rep_x"}, {"interest_id": "interest_x"}, deny=404, methods=("GET",)),
        Row(
            roles("rep_x"),
            {"interest_id": "interest_x"},
            deny=404,
            other=dict.fromkeys(SEES_INTERESTS, 403),
            methods=("PATCH",),
            data={"note": "=Edited"},
        ),
        Row(
            roles("rep_y"),
            {"interest_id": "interest_y"},
            deny=404,
            other=dict.fromkeys(SEES_INTERESTS, 403),
            methods=("DELETE",),
        ),
    ],
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

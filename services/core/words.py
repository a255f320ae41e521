"""The words users read for stored codes: statuses of every kind of object, roles, and
plural forms. Templates reach them through the ``status``, ``role`` and ``plural`` filters
(webapp/filters.py); services use the same mappings for their messages.

Each kind of object has its own mapping because one code reads differently on different
objects ("done" for a match job, "accepted" for an invitation); a code no mapping knows
(a state added without its words) is shown humanised rather than failing the page.
"""

from __future__ import annotations

import re

from models.pledges import PLEDGE_KIND_LABELS

TOPIC_STATES = {
    "idea": "Idea",
    "screening": "Screening",
    "drafting": "Drafting",
    "consultation": "Consultation",
    "approved": "Approved",
    "published": "Published in a call",
    "stage1_open": "Stage 1 open",
    "stage1_closed": "Stage 1 closed",
    "consortium_selected": "Consortium selected",
    "stage2": "Stage 2",
    "closed": "Closed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
JOB_STATES = {
    "queued": "Queued",
    "running": "Running",
    "done": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
WORDS: dict[str, dict[str, str]] = {
    "topic": TOPIC_STATES,
    "pledge": {
        "draft": "Draft",
        "submitted": "Submitted",
        "confirmed": "Confirmed",
        "rejected": "Rejected",
        "withdrawn": "Withdrawn",
    },
    "application": {"pending": "Pending", "approved": "Approved", "rejected": "Rejected"},
    "join": {"pending": "Pending", "approved": "Approved", "refused": "Refused"},
    "match": JOB_STATES,
    "import": JOB_STATES,
    "member": {
        "suggested": "Suggested",
        "locked": "Locked",
        "removed": "Removed",
        "invited": "Invited",
        "accepted": "Accepted",
        "declined": "Declined",
    },
    "invitation": {
        "sent": "Sent",
        "no_contact": "No contact to invite",
        "accepted": "Accepted",
        "declined": "Declined",
        "expired": "Expired",
        "withdrawn": "Withdrawn",
    },
    "index": {
        "queued": "Queued",
        "building": "Building",
        "ready": "Ready",
        "failed": "Failed",
        "unchanged": "Unchanged (data as before)",
        "cancelled": "Cancelled",
    },
    "coi": {"pending": "Not declared yet", "none": "No conflict", "conflicted": "Conflicted"},
    "outbox": {
        "pending": "Waiting",
        "sending": "Sending",
        "sent": "Sent",
        "failed": "Failed",
        "digested": "Sent in a digest",
    },
    "task": {"running": "Running", "succeeded": "Succeeded", "failed": "Failed"},
    # Not statuses, but codes shown the same way.
    "call_type": {"single_stage": "Single-stage", "two_stage": "Two-stage"},
    "partner_type": {"associated": "Associated partner", "contributing": "Contributing partner"},
    "pledge_kind": PLEDGE_KIND_LABELS,
}
# Global roles (users.role), roles in an organisation, and the roles held through a
# membership or an assignment, as the header and the user pages name them.
ROLE_WORDS = {
    "admin": "Administrator",
    "coordinator": "Coordinator",
    "viewer": "Viewer",
    "partner_rep": "Partner representative",
    "applicant": "Applicant",
    "sgg": "SGG member",
    "reviewer": "Programme reviewer",
}


def humanise(code: str) -> str:
    """``stage1_open`` -> ``Stage 1 open``: the fallback for a code without its words."""
    return sentence(re.sub(r"(?<=[a-z])(?=\d)", " ", code.replace("_", " ")).strip())


def word(code: str | None, kind: str) -> str:
    """The word for ``code`` (a status, a type) of an object of ``kind`` (a key of WORDS)."""
    if code is None:
        return "—"
    return WORDS[kind].get(code) or humanise(code)


def role_word(code: str) -> str:
    return ROLE_WORDS.get(code) or humanise(code)


def sentence(text: str) -> str:
    """The first letter upper case, the rest as written ("Send back to the SGG"; Jinja's
    ``capitalize`` would lower the rest: "Send back to the sgg")."""
    return text[:1].upper() + text[1:]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 application``, ``2 applications``, ``0 topics``; an irregular plural is given:
    ``plural(n, "consortium", "consortia")``."""
    noun = singular if count == 1 else (plural_form or _regular_plural(singular))
    return f"{count:,} {noun}"


def _regular_plural(noun: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"

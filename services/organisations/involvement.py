"""What an organisation takes part in here (not in CORDIS): the topics it is an industry
partner of, its pledges, its suggestions for consortia and its invitations, as far as the
viewer may see each related object (the policies' SQL visibility clauses).

The profile shows the first few of each kind with their number; the involvement page
(``/organisations/<id>/involvement``) the first ``INVOLVEMENT_SHOWN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from models import (
    Invitation,
    MatchRequest,
    Pledge,
    SuggestedMember,
    Topic,
    TopicIndustryPartner,
    User,
)
from services import policies
from services.core.statements import office_statement

PROFILE_SHOWN = 10  # of each kind on the organisation's profile
INVOLVEMENT_SHOWN = 50  # of each kind on its involvement page (newest first, titles A-Z)
KINDS = ("industry", "pledge", "suggestion", "invitation")


class InvolvementRow(NamedTuple):
    """One line: ``title`` is None where the viewer may not open the topic."""

    kind: str
    id: int
    topic_id: int
    title: str | None
    amount: Decimal | None
    status: str | None
    request_id: int | None


@dataclass
class Involvement:
    """The lines of each kind the viewer may see, and how many there are of each."""

    industry_topics: list[InvolvementRow] = field(default_factory=list)
    pledges: list[InvolvementRow] = field(default_factory=list)
    suggestions: list[InvolvementRow] = field(default_factory=list)
    invitations: list[InvolvementRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def any(self) -> bool:
        return any(self.counts.values())

    @property
    def more(self) -> bool:
        """Whether a kind has more lines than are listed."""
        listed = (self.industry_topics, self.pledges, self.suggestions, self.invitations)
        return any(self.counts[k] > len(rows) for k, rows in zip(KINDS, listed, strict=True))


def _count(model: Any, *where: Any, join: Any = None) -> Any:
    """The number of ``model`` rows matching ``where``: a subquery of its own rows (not
    correlated with the branch's), not a window count: under LIMIT the planner read the
    primary key backwards through every pledge to count the organisation's."""
    stmt = select(func.count()).select_from(model)
    if join is not None:
        stmt = stmt.join(*join)
    return stmt.where(*where).correlate(None).scalar_subquery()


def _statement(actor: User | None) -> CompoundSelect:
    """The four lists as one UNION ALL, each line with the number of its kind: one round
    trip, rows rather than ORM objects (five statements and their eager loads cost more
    than the SQL they ran). Binds ``org_id`` and ``shown`` (the lines of each kind)."""
    org_id = bindparam("org_id", type_=Integer)
    shown = bindparam("shown", type_=Integer)
    none_amount = null().cast(Pledge.amount.type)
    none_int = null().cast(Integer)

    partner = (TopicIndustryPartner.organisation_id == org_id,
               policies.topic_visibility_clause(actor))  # fmt: skip
    on_topic = (Topic, Topic.id == TopicIndustryPartner.topic_id)
    industry = (
        select(literal("industry").label("kind"), Topic.id.label("id"), Topic.id.label("topic_id"),
               Topic.title.label("title"), none_amount.label("amount"),
               null().cast(String).label("status"), none_int.label("request_id"),
               _count(TopicIndustryPartner, *partner, join=on_topic).label("total"),
               func.row_number().over(order_by=(Topic.title, Topic.id)).label("position"))
        .select_from(TopicIndustryPartner)
        .join(*on_topic)
        .where(*partner)
        .order_by(Topic.title, Topic.id)
        .limit(shown)
    )  # fmt: skip
    theirs = (Pledge.organisation_id == org_id, policies.pledge_visibility_clause(actor))
    # The title only of a topic the viewer may open: the clause in the outer join's ON.
    pledges = (
        select(literal("pledge"), Pledge.id, Pledge.topic_id, Topic.title, Pledge.amount,
               Pledge.status, none_int, _count(Pledge, *theirs), -Pledge.id)
        .outerjoin(Topic, and_(Topic.id == Pledge.topic_id,
                               policies.topic_visibility_clause(actor)))
        .where(*theirs)
        .order_by(Pledge.id.desc())
        .limit(shown)
    )  # fmt: skip
    suggested = (SuggestedMember.organisation_id == org_id, policies.match_visibility_clause(actor))
    on_request = (MatchRequest, MatchRequest.id == SuggestedMember.request_id)
    suggestions = (
        select(literal("suggestion"), SuggestedMember.id, MatchRequest.topic_id, Topic.title,
               none_amount, SuggestedMember.status, SuggestedMember.request_id,
               _count(SuggestedMember, *suggested, join=on_request), -SuggestedMember.id)
        .join(*on_request)  # the clause is on the MatchRequest the branch joins
        .join(Topic, Topic.id == MatchRequest.topic_id)
        .where(*suggested)
        .order_by(SuggestedMember.id.desc())
        .limit(shown)
    )  # fmt: skip
    invited = (Invitation.organisation_id == org_id, policies.invitation_visibility_clause(actor))
    request = aliased(MatchRequest)  # the clause has its own EXISTS on MatchRequest
    invitations = (
        select(literal("invitation"), Invitation.id, request.topic_id, Topic.title, none_amount,
               Invitation.status, Invitation.request_id, _count(Invitation, *invited),
               -Invitation.id)
        .join(request, request.id == Invitation.request_id)
        .join(Topic, Topic.id == request.topic_id)
        .where(*invited)
        .order_by(Invitation.id.desc())
        .limit(shown)
    )  # fmt: skip
    # Each branch is limited on its own, which SQLite allows only in a subquery; the order
    # of the lines is the outer ORDER BY's (a union keeps no order of its branches).
    branches = [select(*b.subquery().c) for b in (industry, pledges, suggestions, invitations)]
    return union_all(*branches).order_by(literal_column("kind"), literal_column("position"))


def involvement(
    session: Session, actor: User | None, org_id: int, shown: int = INVOLVEMENT_SHOWN
) -> Involvement:
    """The first ``shown`` lines of each kind and their numbers, in one statement; the
    programme office's is built once (``office_statement``: its clauses are all TRUE)."""
    stmt = (
        _statement(actor)
        if actor is None
        else office_statement("organisation-involvement", actor, lambda: _statement(actor))
    )
    found = Involvement()
    lists = dict(zip(KINDS, (found.industry_topics, found.pledges, found.suggestions,
                             found.invitations), strict=True))  # fmt: skip
    for row in session.execute(stmt, {"org_id": org_id, "shown": shown}):
        lists[row[0]].append(InvolvementRow(*row[:7]))
        found.counts[row[0]] = row[7]
    return found

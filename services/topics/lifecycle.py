"""The call-topic lifecycle as data: a table of transitions with role guards and requirements.

``refusal(...)`` is pure (no database): it says why a transition may not happen, or None.
``transition(...)`` applies one, records it, audits it and notifies, in the caller's
transaction. Admins can do whatever coordinators can (``policies.is_coordinator``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from models import Topic, TopicTransition, User
from services import policies
from services.core import audit, words
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied

STATE_LABELS = words.TOPIC_STATES
# Roles relative to one topic, as used in guards.
COORDINATOR = "coordinator"  # coordinators and admins
SGG = "sgg"  # members of the topic's own SGG
ROLE_LABELS = {COORDINATOR: "coordinators", SGG: "members of the topic's SGG"}


@dataclass(frozen=True)
class Requirement:
    """A condition on the topic; ``missing`` completes 'the topic needs ...'."""

    name: str
    check: Callable[[Topic, datetime], bool]
    missing: str


def _has(*fields: str) -> Callable[[Topic, datetime], bool]:
    return lambda t, _now: all(str(getattr(t, f) or "").strip() for f in fields)


def _call_with_deadlines(t: Topic, _now: datetime) -> bool:
    call = t.call
    if call is None or call.stage1_deadline is None:
        return False
    return call.call_type != "two_stage" or call.stage2_deadline is not None


def _deadline_ahead(t: Topic, now: datetime) -> bool:
    return (
        t.call is not None and t.call.stage1_deadline is not None and t.call.stage1_deadline > now
    )


def _stage2_ahead(t: Topic, now: datetime) -> bool:
    c = t.call
    return (
        c is not None
        and c.call_type == "two_stage"
        and c.stage2_deadline is not None
        and c.stage2_deadline > now
    )


def _single_stage(t: Topic, _now: datetime) -> bool:
    return t.call is not None and t.call.call_type == "single_stage"


REQUIREMENTS = {
    r.name: r
    for r in (
        Requirement("challenge", _has("title", "challenge"), "a title and a challenge"),
        Requirement(
            "content",
            _has("challenge", "scope", "expected_outcomes", "expected_impact", "keywords"),
            "a challenge, scope, expected outcomes, expected impact and keywords",
        ),
        Requirement(
            "budget",
            lambda t, _n: t.eu_contribution is not None and t.duration_months is not None,
            "an indicative EU contribution and a duration",
        ),
        Requirement(
            "call",
            _call_with_deadlines,
            "a call with its deadlines (stage 1, and stage 2 for a two-stage call)",
        ),
        Requirement("identifier", _has("identifier"), "a topic identifier"),
        Requirement("deadline_ahead", _deadline_ahead, "a stage 1 deadline that has not passed"),
        Requirement(
            "stage2_ahead", _stage2_ahead, "a two-stage call with a stage 2 deadline ahead"
        ),
        Requirement(
            "single_stage",
            _single_stage,
            "a single-stage call (a two-stage topic closes after stage 2)",
        ),
    )
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    requires: tuple[str, ...] = ()
    comment_required: bool = False


def _t(
    name: str,
    label: str,
    sources: tuple[str, ...] | str,
    target: str,
    roles: tuple[str, ...],
    requires: tuple[str, ...] = (),
    comment: bool = False,
) -> Transition:
    src = (sources,) if isinstance(sources, str) else sources
    return Transition(name, label, src, target, frozenset(roles), requires, comment)


EARLY = ("idea", "screening", "drafting")
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t(
            "submit", "submit to screening", "idea", "screening", (SGG, COORDINATOR), ("challenge",)
        ),
        _t("send_back", "send back to the SGG", "screening", "idea", (COORDINATOR,), comment=True),
        _t("accept", "accept for drafting", "screening", "drafting", (COORDINATOR,)),
        _t(
            "to_consultation",
            "send to consultation",
            "drafting",
            "consultation",
            (SGG, COORDINATOR),
            ("content", "budget"),
        ),
        _t(
            "back_to_drafting",
            "return to drafting",
            "consultation",
            "drafting",
            (COORDINATOR,),
            comment=True,
        ),
        _t(
            "approve",
            "approve",
            "consultation",
            "approved",
            (COORDINATOR,),
            ("content", "budget"),
        ),
        _t(
            "publish",
            "publish in a call",
            "approved",
            "published",
            (COORDINATOR,),
            ("content", "budget", "call", "identifier", "deadline_ahead"),
        ),
        _t(
            "open_stage1",
            "open stage 1",
            "published",
            "stage1_open",
            (COORDINATOR,),
            ("call", "deadline_ahead"),
        ),
        _t("close_stage1", "close stage 1", "stage1_open", "stage1_closed", (COORDINATOR,)),
        _t(
            "select_consortium",
            "select the consortium",
            "stage1_closed",
            "consortium_selected",
            (COORDINATOR,),
            comment=True,
        ),
        _t(
            "open_stage2",
            "open stage 2",
            "consortium_selected",
            "stage2",
            (COORDINATOR,),
            ("stage2_ahead",),
        ),
        _t("close", "close", "stage2", "closed", (COORDINATOR,)),
        _t(
            "close_single_stage",
            "close (single-stage call)",
            "consortium_selected",
            "closed",
            (COORDINATOR,),
            ("single_stage",),
        ),
        _t(
            "reject",
            "reject",
            ("idea", "screening", "drafting", "consultation"),
            "rejected",
            (COORDINATOR,),
            comment=True,
        ),
        _t("withdraw", "withdraw", EARLY, "withdrawn", (SGG, COORDINATOR), comment=True),
        _t(
            "withdraw_late",
            "withdraw",
            ("consultation", "approved", "published", "stage1_open"),
            "withdrawn",
            (COORDINATOR,),
            comment=True,
        ),
        _t(
            "reopen",
            "reopen as an idea",
            ("rejected", "withdrawn"),
            "idea",
            (COORDINATOR,),
            comment=True,
        ),
    )
}


@dataclass(frozen=True)
class Refusal:
    kind: str  # "state", "role" or "requirement"
    message: str

    def error(self) -> Conflict | PermissionDenied:
        return PermissionDenied(self.message) if self.kind == "role" else Conflict(self.message)


def roles_of(user: User | None, topic: Topic) -> set[str]:
    roles: set[str] = set()
    if policies.is_coordinator(user):
        roles.add(COORDINATOR)
    if policies.is_signed_in(user) and policies.is_sgg_member(user, topic.sgg_id):
        roles.add(SGG)
    return roles


def refusal(
    user: User | None,
    topic: Topic,
    name: str,
    comment: str = "",
    now: datetime | None = None,
) -> Refusal | None:
    """Why ``user`` may not apply transition ``name`` to ``topic`` now; None if they may."""
    t = TRANSITIONS[name]
    if topic.status not in t.sources:
        sources = ", ".join(STATE_LABELS[s] for s in t.sources)
        return Refusal(
            "state",
            f"Cannot {t.label}: the topic is {STATE_LABELS[topic.status]}; "
            f"this is only possible from: {sources}.",
        )
    if not roles_of(user, topic) & t.roles:
        who = " or ".join(ROLE_LABELS[r] for r in sorted(t.roles))
        return Refusal("role", f"Only {who} may {t.label} this topic.")
    now = now or datetime.now(UTC)
    missing = [REQUIREMENTS[r].missing for r in t.requires if not REQUIREMENTS[r].check(topic, now)]
    if missing:
        return Refusal(
            "requirement", f"Cannot {t.label}: the topic needs " + "; ".join(missing) + "."
        )
    if t.comment_required and not comment.strip():
        return Refusal("requirement", f"Cannot {t.label} without a comment giving the reason.")
    return None


def available(user: User | None, topic: Topic) -> list[Transition]:
    """Transitions from the topic's state that the user holds the role for (maybe blocked)."""
    roles = roles_of(user, topic)
    return [t for t in TRANSITIONS.values() if topic.status in t.sources and roles & t.roles]


def transition(
    session: Session, ctx: RequestContext, topic: Topic, name: str, comment: str = ""
) -> TopicTransition:
    """Apply transition ``name``; refused with Conflict/PermissionDenied and nothing changed."""
    from services.topics import events as topic_events

    actor = ctx.user
    if name not in TRANSITIONS:
        raise NotFound(f"There is no transition called {name!r}.")
    if not policies.can_view_topic(actor, topic):
        raise NotFound("No such topic.")
    why = refusal(actor, topic, name, comment)
    if why is not None:
        raise why.error()
    t = TRANSITIONS[name]
    step = TopicTransition(
        topic_id=topic.id,
        name=name,
        from_state=topic.status,
        to_state=t.target,
        actor_id=actor.id,
        comment=comment.strip(),
    )
    topic.status = t.target
    session.add(step)
    audit.record(
        session,
        actor,
        f"topic.{name}",
        topic,
        ip=ctx.client_ip,
        old=step.from_state,
        new=step.to_state,
        comment=step.comment,
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "Someone else changed this topic at the same moment; nothing was changed. "
            "Reload the page to see its current state."
        ) from exc
    topic_events.state_changed(session, ctx, topic, step)
    return step


# Built once: a topic's page reads it on every request.
_HISTORY = (
    select(TopicTransition)
    .where(TopicTransition.topic_id == bindparam("topic_id", type_=Integer))
    .order_by(TopicTransition.at, TopicTransition.id)
    .options(selectinload(TopicTransition.actor))
)


def history(session: Session, topic: Topic) -> list[TopicTransition]:
    return list(session.scalars(_HISTORY, {"topic_id": topic.id}))


def path_to(state: str) -> list[Transition]:
    """The shortest chain of transitions from ``idea`` to ``state`` (demo data, tests)."""
    frontier: list[tuple[str, list[Transition]]] = [("idea", [])]
    seen = {"idea"}
    while frontier:
        current, path = frontier.pop(0)
        if current == state:
            return path
        for t in TRANSITIONS.values():
            if current in t.sources and t.target not in seen:
                seen.add(t.target)
                frontier.append((t.target, [*path, t]))
    raise ValueError(f"no path to {state}")

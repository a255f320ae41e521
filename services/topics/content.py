"""Call topics: propose an idea, edit the content (with revisions and optimistic locking).

``sector_targets`` maps a sector of ``models.organisations.SECTORS`` to either an integer
count of members or a share of the consortium written as a decimal string ("0.30").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, func, inspect, literal_column, select
from sqlalchemy.orm import Session, joinedload, load_only
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from models import (
    Call,
    Organisation,
    ScientificArea,
    Sgg,
    Topic,
    TopicIndustryPartner,
    TopicRevision,
    User,
)
from models.base import utcnow
from models.organisations import SECTORS
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

MONEY_MAX = Decimal("999999999999.99")
# The content a revision keeps; partner organisation ids are added as "industry_partners".
CONTENT_FIELDS = (
    "title",
    "identifier",
    "area_id",
    "call_id",
    "challenge",
    "scope",
    "expected_outcomes",
    "expected_impact",
    "keywords",
    "eu_contribution",
    "industry_contribution",
    "duration_months",
    "consortium_size_min",
    "consortium_size_max",
    "min_countries",
    "sme_share",
    "sector_targets",
)
TEXT_FIELDS = ("challenge", "scope", "expected_outcomes", "expected_impact", "keywords")


@dataclass
class TopicContent:
    title: str
    identifier: str = ""
    area_id: int | None = None
    call_id: int | None = None
    challenge: str = ""
    scope: str = ""
    expected_outcomes: str = ""
    expected_impact: str = ""
    keywords: str = ""
    eu_contribution: Decimal | None = None
    industry_contribution: Decimal | None = None
    duration_months: int | None = None
    consortium_size_min: int | None = None
    consortium_size_max: int | None = None
    min_countries: int | None = None
    sme_share: Decimal | None = None
    sector_targets: dict[str, Any] | None = None
    industry_partner_ids: list[int] | None = None


# What a topic's page shows besides its columns, loaded with the topic (not one query per
# industry partner's organisation, and none for the SGG, area, call and programme).
TOPIC_PAGE_LOADS = (
    joinedload(Topic.sgg),
    joinedload(Topic.area),
    joinedload(Topic.call),
    joinedload(Topic.programme),
    joinedload(Topic.industry_partners).joinedload(TopicIndustryPartner.organisation),
)


# Built once: building it (and its cache key) cost as much as running it, on every page
# of a topic.
_TOPIC_PAGE = (
    select(Topic).where(Topic.id == bindparam("topic_id", type_=Integer)).options(*TOPIC_PAGE_LOADS)
)


def get_topic(session: Session, user: User | None, topic_id: int) -> Topic:
    """The topic if ``user`` may see it; NotFound otherwise (no hint that it exists)."""
    # As ``session.get`` would: a topic loaded already (and not expired) is not read again.
    topic = session.identity_map.get(identity_key(Topic, topic_id))
    if topic is None or inspect(topic).expired:
        topic = session.execute(_TOPIC_PAGE, {"topic_id": topic_id}).unique().scalar()
    if topic is None or not policies.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    return topic


# The public page shows the same facts but not the programme.
PUBLIC_TOPIC_LOADS = (
    joinedload(Topic.sgg),
    joinedload(Topic.area),
    joinedload(Topic.call),
    joinedload(Topic.industry_partners).joinedload(TopicIndustryPartner.organisation),
)


def get_topic_heading(session: Session, user: User | None, topic_id: int) -> Topic:
    """``get_topic`` for a page that shows only the topic's title (its revisions): the
    columns the visibility rule reads, no texts nor related rows (an industry partner's
    list is read only when the rule needs it)."""
    shown = load_only(Topic.id, Topic.title, Topic.status, Topic.sgg_id, Topic.programme_id)
    topic = session.get(Topic, topic_id, options=[shown])
    if topic is None or not policies.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    return topic


def get_public_topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id, options=PUBLIC_TOPIC_LOADS)
    if topic is None or not policies.is_public_topic(topic):
        raise NotFound("No such published topic.")
    return topic


def parse_sector_targets(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Normalise {sector: "6" | 6 | "30%" | "0.3"}; return (targets, error messages)."""
    targets: dict[str, Any] = {}
    errors: list[str] = []
    for sector, value in raw.items():
        if sector not in SECTORS:
            errors.append(f"{sector!r} is not a sector (use one of: {', '.join(SECTORS)}).")
            continue
        text = str(value).strip()
        if text == "":
            continue
        try:
            if text.endswith("%"):
                share = Decimal(text[:-1].strip()) / 100
                if not Decimal(0) <= share <= 1:
                    raise InvalidOperation
                targets[sector] = str(share.quantize(Decimal("0.0001")))
            elif "." in text:
                share = Decimal(text)
                if not Decimal(0) <= share <= 1:
                    raise InvalidOperation
                targets[sector] = str(share.quantize(Decimal("0.0001")))
            else:
                count = int(text)
                if count < 0 or count > 1000:
                    raise InvalidOperation
                targets[sector] = count
        except (InvalidOperation, ValueError):
            errors.append(
                f"{sector}: give a number of members (e.g. 6) or a share (e.g. 30% or 0.3)."
            )
    shares = sum(Decimal(v) for v in targets.values() if isinstance(v, str))
    if shares > 1:
        errors.append("The sector shares add up to more than 100 %.")
    return targets, errors


def _validate(
    session: Session, topic: Topic | None, data: TopicContent, programme_id: int
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["A topic needs a title."]
    elif len(data.title) > 300:
        errors["title"] = ["At most 300 characters."]
    ident = data.identifier.strip()
    if ident:
        other = session.scalar(select(Topic.id).where(Topic.identifier == ident))
        if other is not None and (topic is None or other != topic.id):
            errors["identifier"] = [f"Another topic already has the identifier {ident}."]
    if data.area_id is not None and session.get(ScientificArea, data.area_id) is None:
        errors["area_id"] = ["Choose a scientific area from the list."]
    if data.call_id is not None:
        call = session.get(Call, data.call_id)
        if call is None or call.programme_id != programme_id:
            errors["call_id"] = ["Choose a call of the topic's programme."]
    for name in ("eu_contribution", "industry_contribution"):
        value = getattr(data, name)
        if value is not None and (value < 0 or value > MONEY_MAX or value != round(value, 2)):
            errors[name] = ["Give an amount in euros, at least 0, with at most 2 decimals."]
    for name in ("duration_months", "consortium_size_min", "consortium_size_max", "min_countries"):
        value = getattr(data, name)
        if value is not None and not 1 <= value <= 1000:
            errors[name] = ["Give a whole number between 1 and 1000."]
    lo, hi = data.consortium_size_min, data.consortium_size_max
    if lo is not None and hi is not None and lo > hi:
        errors["consortium_size_max"] = ["The largest size must be at least the smallest."]
    if data.sme_share is not None and not Decimal(0) <= data.sme_share <= 1:
        errors["sme_share"] = ["Give the SME share between 0 and 1 (e.g. 0.2 for 20 %)."]
    _targets, target_errors = parse_sector_targets(data.sector_targets or {})
    if target_errors:
        errors["sector_targets"] = target_errors
    if data.industry_partner_ids:
        orgs = list(
            session.scalars(
                select(Organisation).where(Organisation.id.in_(data.industry_partner_ids))
            )
        )
        bad = [o for o in orgs if not (o.is_efpia_member or o.partner_type)]
        if len(orgs) != len(set(data.industry_partner_ids)) or bad:
            errors["industry_partner_ids"] = [
                "The industry consortium takes only partner organisations (EFPIA members, "
                "associated or contributing partners)."
            ]
    return errors


def snapshot(topic: Topic) -> dict[str, Any]:
    """The content of ``topic`` as JSON-ready values (money and shares as strings)."""
    out: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = getattr(topic, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    out["industry_partners"] = sorted(p.organisation_id for p in topic.industry_partners)
    return out


def add_revision(session: Session, actor: User | None, topic: Topic, note: str) -> TopicRevision:
    """Record the topic's content as it is now as its next revision."""
    number = (
        session.scalar(
            select(func.max(TopicRevision.number)).where(TopicRevision.topic_id == topic.id)
        )
        or 0
    ) + 1
    revision = TopicRevision(
        topic_id=topic.id,
        number=number,
        author_id=actor.id if actor is not None else None,
        snapshot=snapshot(topic),
        note=note[:300],
    )
    session.add(revision)
    return revision


def _apply(session: Session, topic: Topic, data: TopicContent) -> None:
    targets, _ = parse_sector_targets(data.sector_targets or {})
    for name in CONTENT_FIELDS:
        if name == "sector_targets":
            topic.sector_targets = targets
        elif name in ("title", "identifier", *TEXT_FIELDS):
            value = str(getattr(data, name) or "").strip()
            setattr(topic, name, value or None if name == "identifier" else value)
        else:
            setattr(topic, name, getattr(data, name))
    if data.industry_partner_ids is not None:
        wanted = set(data.industry_partner_ids)
        topic.industry_partners = [
            p for p in topic.industry_partners if p.organisation_id in wanted
        ]
        have = {p.organisation_id for p in topic.industry_partners}
        for org_id in sorted(wanted - have):
            topic.industry_partners.append(TopicIndustryPartner(organisation_id=org_id))


def create_topic(
    session: Session, ctx: RequestContext, sgg_id: int, data: TopicContent, note: str = ""
) -> Topic:
    """An SGG member (or a coordinator) proposes a topic idea; revision 1 keeps its text and
    the note typed with it ("Proposed" when none was typed)."""
    actor = ctx.user
    sgg = session.get(Sgg, sgg_id)
    if sgg is None:
        raise InvalidInput("Choose an SGG.", {"sgg_id": ["Choose an SGG."]})
    if not policies.can_create_topic(actor, sgg):
        raise PermissionDenied("Only members of this SGG and coordinators propose topics for it.")
    errors = _validate(session, None, data, sgg.programme_id)
    if errors:
        raise InvalidInput("The topic was not saved: check the marked fields.", errors)
    topic = Topic(
        programme_id=sgg.programme_id,
        sgg_id=sgg.id,
        status="idea",
        created_by_id=actor.id,
        title=data.title.strip(),
    )
    _apply(session, topic, data)
    if topic.area_id is None:
        topic.area_id = sgg.area_id
    session.add(topic)
    session.flush()
    add_revision(session, actor, topic, note.strip() or "Proposed")
    audit.record(
        session, actor, "topic.create", topic, ip=ctx.client_ip, title=topic.title, sgg_id=sgg.id
    )
    session.flush()
    return topic


def update_topic(
    session: Session,
    ctx: RequestContext,
    topic: Topic,
    data: TopicContent,
    expected_version: int,
    note: str = "",
) -> TopicRevision:
    """Save an edit made on version ``expected_version``; a stale edit is refused (Conflict)."""
    actor = ctx.user
    if not policies.can_edit_topic(actor, topic):
        raise PermissionDenied("You may not edit this topic in its current state.")
    if expected_version != topic.version:
        raise Conflict(
            "Someone else saved this topic while you were editing it (your copy is version "
            f"{expected_version}, the saved one is version {topic.version}). Your text was not "
            "saved and is still in the form: compare with the latest revision, then save again."
        )
    errors = _validate(session, topic, data, topic.programme_id)
    if errors:
        raise InvalidInput("The topic was not saved: check the marked fields.", errors)
    before = snapshot(topic)
    _apply(session, topic, data)
    after = snapshot(topic)
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    topic.updated_at = utcnow()  # always an UPDATE, so the version check always runs
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "Someone else saved this topic at the same moment; your text was not saved and "
            "is still in the form. Reload the latest version and save again."
        ) from exc
    revision = add_revision(session, actor, topic, note)
    audit.record(session, actor, "topic.update", topic, ip=ctx.client_ip, changes=changed)
    session.flush()
    return revision


def _same_title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


@lru_cache(maxsize=16)
def _same_title_statement(
    shape: policies.VisibilityShape, exclude: bool
) -> Select[tuple[int, str, str | None]]:
    """Built once per visibility shape (building it cost the edit form 0.5 ms): the
    programme, the number of letters, the topic left out and the viewer's ids are bound."""
    no_spaces = func.replace(Topic.title, literal_column("' '"), literal_column("''"))
    stmt = select(Topic.id, Topic.title, Topic.identifier).where(
        Topic.programme_id == bindparam("programme_id", type_=Integer),
        func.length(no_spaces) == bindparam("letters", type_=Integer),
        policies.bound_topic_visibility_clause(shape),
    )
    if exclude:
        stmt = stmt.where(Topic.id != bindparam("exclude_id", type_=Integer))
    return stmt.order_by(Topic.id)


def _same_title_params(
    user: User | None, programme_id: int, title: str, exclude_id: int | None
) -> dict[str, Any]:
    letters = len(_same_title_key(title).replace(" ", ""))
    params = {"programme_id": programme_id, "letters": letters, "exclude_id": exclude_id}
    return {**params, **policies.topic_visibility_params(user)}


def same_title_query(
    user: User | None, programme_id: int, title: str, exclude_id: int | None
) -> Select[tuple[int, str, str | None]]:
    """The candidates of ``same_title``: the programme's visible topics whose title has as
    many letters, from ix_topics_programme_title_length (the literals inline, as in the
    index), with only the columns a warning names; its parameters bound."""
    stmt = _same_title_statement(policies.topic_visibility_shape(user), exclude_id is not None)
    return stmt.params(_same_title_params(user, programme_id, title, exclude_id))


def same_title(
    session: Session, user: User | None, programme_id: int, title: str, exclude_id: int | None
) -> list[Row[tuple[int, str, str | None]]]:
    """Other topics of the programme with the same title, case and spacing aside, among
    those ``user`` may see (a warning must not reveal a topic the user may not know of):
    (id, title, identifier) rows."""
    key = _same_title_key(title)
    if not key:
        return []
    stmt = _same_title_statement(policies.topic_visibility_shape(user), exclude_id is not None)
    params = _same_title_params(user, programme_id, title, exclude_id)
    found = session.execute(stmt, params).all()
    return [t for t in found if _same_title_key(t.title) == key]


def title_warnings(
    session: Session, user: User | None, programme_id: int, title: str, exclude_id: int | None
) -> list[str]:
    """'Another topic ... has the same title' for each duplicate (not a refusal)."""
    return [
        f"Another topic of this programme has the same title: “{t.title}”"
        f"{f' ({t.identifier})' if t.identifier else ''}, topic {t.id}."
        for t in same_title(session, user, programme_id, title, exclude_id)
    ]


def proposal_warnings(
    session: Session, user: User | None, sgg_id: int | None, title: str
) -> list[str]:
    """``title_warnings`` for a topic about to be proposed in SGG ``sgg_id``."""
    sgg = session.get(Sgg, sgg_id) if sgg_id else None
    if sgg is None:
        return []
    return title_warnings(session, user, sgg.programme_id, title, None)


# Organisations that may sit in a pre-defined industry consortium: id and names only (from
# the partial index ix_organisations_industry_partners), as rows, not organisations.
PARTNER_ORGANISATIONS = (
    select(Organisation.id, Organisation.legal_name, Organisation.short_name)
    .where(Organisation.is_efpia_member.is_(True) | Organisation.partner_type.is_not(None))
    .order_by(Organisation.legal_name)
)


def partner_organisations(session: Session) -> list[tuple[int, str]]:
    """(id, display name) of the organisations that may sit in a pre-defined industry
    consortium, by legal name."""
    return [(o.id, o.short_name or o.legal_name) for o in session.execute(PARTNER_ORGANISATIONS)]

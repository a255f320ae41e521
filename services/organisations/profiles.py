"""Organisation profiles: reading a profile, editing it (audited), duplicates and merges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Row,
    Select,
    bindparam,
    func,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from models import (
    CordisProject,
    Organisation,
    OrganisationMembership,
    Participation,
    Pledge,
    SuggestedMember,
    TopicIndustryPartner,
)
from models.countries import country_name, normalise_country
from models.organisations import PARTNER_TYPES, SECTORS
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.pages import Page
from services.organisations.search import add_name_words

PIC_RE = re.compile(r"^[0-9]{6,12}$")
TEXT_LIMITS = {"legal_name": 300, "short_name": 120, "city": 120}


def get(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org


# Built once, run with the organisation's id and the page's limit and offset: the columns
# the profile's table shows (not Participation and CordisProject objects with the texts).
_HISTORY = (
    select(
        Participation.project_id,
        CordisProject.acronym,
        CordisProject.title,
        CordisProject.call,
        CordisProject.topic,
        CordisProject.start_date,
        CordisProject.end_date,
        Participation.role,
        Participation.terminated,
        Participation.eu_contribution,
        Participation.total_cost,
    )
    .join(CordisProject, Participation.project_id == CordisProject.id)
    .where(Participation.organisation_id == bindparam("org_id", type_=Integer))
    .order_by(CordisProject.start_date.desc().nulls_last(), CordisProject.id.desc())
    .limit(bindparam("page_limit", type_=Integer))
    .offset(bindparam("page_offset", type_=Integer))
)


def history_page(session: Session, org_id: int, page: int, per_page: int, total: int) -> Page:
    """A page of the organisation's participations, newest first; ``total``: their number
    (``totals``' participations: no count of its own). A page past the end is the last."""
    page = min(page, max(1, -(-total // per_page)))
    params = {"org_id": org_id, "page_limit": per_page, "page_offset": (page - 1) * per_page}
    rows = list(session.execute(_HISTORY, params)) if total else []
    return Page(items=rows, page=page, per_page=per_page, total=total)


def _collaborators_statement() -> Select[Any]:
    mine = aliased(Participation)
    theirs = aliased(Participation)
    shared = func.count(func.distinct(theirs.project_id)).label("shared")
    org_id = bindparam("org_id", type_=Integer)
    return (
        select(Organisation.id, Organisation.legal_name, Organisation.country, shared)
        .select_from(mine)
        .join(theirs, theirs.project_id == mine.project_id)
        .join(Organisation, Organisation.id == theirs.organisation_id)
        .where(mine.organisation_id == org_id, theirs.organisation_id != org_id)
        .group_by(Organisation.id)
        .order_by(shared.desc(), Organisation.legal_name)
        .limit(bindparam("limit"))
    )


# Built once, run with the organisation's id: building them cost more than running them.
_COLLABORATORS = _collaborators_statement()
_TOTALS = (
    select(
        func.count(Participation.id),
        func.count(Participation.id).filter(Participation.role == "coordinator"),
        func.coalesce(func.sum(Participation.eu_contribution), 0),
    )
    .where(Participation.organisation_id == bindparam("org_id"))
    .subquery()
)
# The profile's organisation with its totals: one round trip for the page's head.
_WITH_TOTALS = (
    select(Organisation, *_TOTALS.c)
    .join(_TOTALS, true())  # one row of aggregates beside the one organisation
    .where(Organisation.id == bindparam("org_id"))
)


def collaborators(session: Session, org_id: int, limit: int = 10) -> list[Row[Any]]:
    """The organisations that shared the most projects with this one: rows of id,
    legal_name, country and shared (the number of projects)."""
    return list(session.execute(_COLLABORATORS, {"org_id": org_id, "limit": limit}))


def with_totals(session: Session, org_id: int) -> tuple[Organisation, dict[str, Any]]:
    """The organisation (NotFound if none) and its number of participations, of
    coordinations, and the EU contribution it received."""
    row = session.execute(_WITH_TOTALS, {"org_id": org_id}).first()
    if row is None:
        raise NotFound("No such organisation.")
    org, participations, coordinations, eu_contribution = row
    totals = {"participations": participations, "coordinations": coordinations,
              "eu_contribution": eu_contribution}  # fmt: skip
    return org, totals


def _clean(name: str, value: Any) -> Any:
    if name in ("is_sme", "is_efpia_member"):
        return bool(value)
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if name in TEXT_LIMITS:
        return value[: TEXT_LIMITS[name]] or (None if name != "legal_name" else "")
    if name in ("pic", "partner_type"):
        return value or None
    return value


def _validate(session: Session, org: Organisation, new: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "legal_name" in new and not new["legal_name"]:
        errors["legal_name"] = ["Give the legal name."]
    if "country" in new:
        iso = normalise_country(new["country"])
        if iso is None or country_name(iso) is None:
            errors["country"] = ["Choose a country (ISO code such as DE or FR)."]
        else:
            new["country"] = iso
    if "sector" in new and new["sector"] not in SECTORS:
        errors["sector"] = ["Choose one of the listed sectors."]
    if new.get("partner_type") not in (None, *PARTNER_TYPES):
        errors["partner_type"] = ["Choose associated, contributing or none."]
    pic = new.get("pic")
    if pic is not None:
        if not PIC_RE.match(pic):
            errors["pic"] = ["A PIC is 6 to 12 digits."]
        elif session.scalar(
            select(Organisation.id).where(Organisation.pic == pic, Organisation.id != org.id)
        ):
            errors["pic"] = ["Another organisation already has this PIC."]
    return errors


def update_profile(
    session: Session, ctx: RequestContext, org: Organisation, data: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Change the fields of ``data`` the actor may change; return the audited changes.

    Admins and coordinators may change every field; an organisation's own partner
    representatives and applicants only its descriptive fields. A field the actor may not
    change is refused (nothing is saved) if its value differs. A sector changed here is
    kept by later CORDIS imports (``sector_by_hand``).
    """
    actor = ctx.user
    allowed = policies.organisation_fields_editable(actor, org)
    if not allowed:
        raise PermissionDenied("You cannot edit this organisation.")
    fields = policies.ORG_OFFICE_FIELDS + policies.ORG_DESCRIPTIVE_FIELDS
    new = {k: _clean(k, v) for k, v in data.items() if k in fields}
    forbidden = [k for k in new if k not in allowed and getattr(org, k) != new[k]]
    if forbidden:
        raise PermissionDenied(
            "Only the programme office can change: " + ", ".join(sorted(forbidden)) + "."
        )
    new = {k: v for k, v in new.items() if k in allowed}
    errors = _validate(session, org, new)
    if errors:
        raise InvalidInput("Check the highlighted fields.", errors)
    changed = audit.changes(org, list(new), new)
    if not changed:
        return {}
    for name in changed:
        setattr(org, name, new[name])
    if "sector" in changed:
        org.sector_by_hand = True  # a CORDIS import no longer sets it (cordis_sectors)
    session.flush()
    if "legal_name" in changed or "short_name" in changed:
        add_name_words(session, org.legal_name, org.short_name)
    audit.record(session, actor, "organisation.update", org, ip=ctx.client_ip, changes=changed)
    return changed


# -- duplicates and merges ------------------------------------------------------------------


@dataclass
class DuplicateGroup:
    """Organisations of one country whose names differ only in case, accents, legal form
    or word order."""

    country: str
    key: str
    organisations: list[Organisation]


def duplicate_groups(session: Session, limit: int = 100) -> list[DuplicateGroup]:
    """Likely duplicates: same country and same name key (PICs are unique, so two rows
    with one PIC cannot exist; an organisation typed in by hand has none)."""
    live = Organisation.merged_into_id.is_(None)
    keys = session.execute(
        select(Organisation.country, Organisation.name_key)
        .where(live, Organisation.name_key != "")
        .group_by(Organisation.country, Organisation.name_key)
        .having(func.count() > 1)
        .order_by(Organisation.country, Organisation.name_key)
        .limit(limit)
    ).all()
    groups = []
    for country, key in keys:
        orgs = session.scalars(
            select(Organisation)
            .where(live, Organisation.country == country, Organisation.name_key == key)
            .order_by(Organisation.id)
        )
        groups.append(DuplicateGroup(country, key, list(orgs)))
    return groups


def similar_organisations(
    session: Session, org: Organisation, limit: int = 5
) -> list[Organisation]:
    """Organisations of the same country with the same name key (for the profile page)."""
    return list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.merged_into_id.is_(None),
                Organisation.country == org.country,
                Organisation.name_key == org.name_key,
                Organisation.id != org.id,
            )
            .limit(limit)
        )
    )


def _move(
    session: Session, model: Any, unique_with: tuple[str, ...], keep: int, drop: int
) -> dict[str, Any]:
    """Point ``model`` rows of ``drop`` at ``keep``; rows that would clash with a row of
    ``keep`` on (``unique_with``, organisation) are deleted and listed in the result."""
    removed: list[dict[str, Any]] = []
    if unique_with:
        cols = [getattr(model, c) for c in unique_with]
        taken = select(*cols).where(model.organisation_id == keep)
        clashing = list(
            session.scalars(
                select(model).where(model.organisation_id == drop, tuple_(*cols).in_(taken))
            )
        )
        for row in clashing:
            removed.append({c.key: getattr(row, c.key) for c in row.__table__.columns})
            session.delete(row)
        session.flush()
    moved = cast(
        "CursorResult[Any]",
        session.execute(
            update(model).where(model.organisation_id == drop).values(organisation_id=keep)
        ),
    ).rowcount
    return {"moved": moved, "dropped_as_duplicates": removed}


def merge(session: Session, ctx: RequestContext, keep_id: int, drop_id: int) -> dict:
    """Merge ``drop`` into ``keep``: every reference moves, nothing is deleted.

    The merged organisation stays as a record pointing to the one kept (so its PIC still
    leads a later CORDIS import to the right place); its empty-on-keep descriptive fields
    are copied over. Returns what moved (also in the audit log).
    """
    actor = ctx.user
    if not policies.can_merge_organisations(actor):
        raise PermissionDenied("Only administrators can merge organisations.")
    if keep_id == drop_id:
        raise InvalidInput("Choose two different organisations.")
    keep, drop = get(session, keep_id), get(session, drop_id)
    if keep.merged_into_id is not None or drop.merged_into_id is not None:
        raise Conflict("One of these organisations was already merged into another.")
    details: dict[str, Any] = {
        "kept": {"id": keep.id, "legal_name": keep.legal_name, "pic": keep.pic},
        "merged": {
            c: getattr(drop, c)
            for c in ("id", "legal_name", "short_name", "pic", "country", "city", "sector",
                      "is_sme", "is_efpia_member", "partner_type", "description", "keywords")
        },
    }  # fmt: skip
    details["participations"] = _move(
        session, Participation, ("project_id", "role"), keep.id, drop.id
    )
    details["memberships"] = _move(
        session, OrganisationMembership, ("user_id", "role"), keep.id, drop.id
    )
    details["pledges"] = _move(session, Pledge, (), keep.id, drop.id)
    details["industry_topics"] = _move(
        session, TopicIndustryPartner, ("topic_id",), keep.id, drop.id
    )
    details["suggestions"] = _move(session, SuggestedMember, ("request_id",), keep.id, drop.id)
    session.execute(
        update(Organisation)
        .where(Organisation.merged_into_id == drop.id)
        .values(merged_into_id=keep.id)
    )
    for name in ("short_name", "city", "description", "keywords"):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    if not keep.pic and drop.pic:
        details["pic_note"] = "the merged organisation keeps its PIC; imports follow the merge"
    drop.merged_into_id = keep.id
    session.flush()
    session.expire_all()
    audit.record(session, actor, "organisation.merge", keep, ip=ctx.client_ip, **details)
    return details

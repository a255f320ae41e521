"""Organisations: the same search as the web page, and one organisation's profile.

Search results are ranked (relevance, name, country or project count), so they are paged
by number (`page`, `per_page`) rather than by an id cursor."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from models.organisations import PARTNER_TYPES, SECTORS
from services.organisations import profiles as orgs
from services.organisations import search as orgsearch
from webapp.api.core import api_blueprint
from webapp.database import db
from webapp.pagination import paginate

blp = api_blueprint("api_organisations", "/organisations", "Organisations (search)")


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    legal_name = fields.String(required=True)
    short_name = fields.String(allow_none=True, required=True)
    pic = fields.String(allow_none=True, required=True)
    country = fields.String(required=True)
    city = fields.String(allow_none=True, required=True)
    sector = fields.String(required=True, metadata={"enum": list(SECTORS)})
    is_sme = fields.Boolean(required=True)
    is_efpia_member = fields.Boolean(required=True)
    partner_type = fields.String(
        allow_none=True, required=True, metadata={"enum": [*PARTNER_TYPES, None]}
    )
    description = fields.String(required=True)
    keywords = fields.String(required=True)
    merged_into_id = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Set when merged into another organisation"},
    )


class OrganisationHitSchema(OrganisationSchema):
    projects = fields.Integer(required=True, metadata={"description": "CORDIS participations"})


class OrganisationPageSchema(Schema):
    items = fields.List(fields.Nested(OrganisationHitSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class SearchArgs(Schema):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Name"})
    pic = fields.String(validate=validate.Length(max=20))
    country = fields.String(
        validate=validate.Length(max=80),
        metadata={
            "description": "ISO code (EL/GR, UK/GB both work) or name in English or the "
            "local form (Turkey, Türkiye)"
        },
    )
    sector = fields.String(validate=validate.OneOf(SECTORS))
    sme = fields.Boolean()
    text = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Words in expertise or in the projects it joined"},
    )
    sort = fields.String(load_default="relevance", validate=validate.OneOf(list(orgsearch.SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


@blp.route("")
class Organisations(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, OrganisationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search organisations (merged ones are left out), as on the web page."""
        query = orgsearch.OrgQuery(
            name=args.get("q", ""),
            pic=args.get("pic", ""),
            country=args.get("country", ""),
            sector=args.get("sector", ""),
            sme=args.get("sme"),
            text=args.get("text", ""),
            sort=args["sort"],
        )
        page = paginate(orgsearch.search(db(), query), db(), per_page=args["per_page"])
        counts = orgsearch.participation_counts(db(), [o.id for o in page.items])
        items = [
            {**OrganisationSchema().dump(o), "projects": counts.get(o.id, 0)} for o in page.items
        ]
        return {
            "items": items,
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        }


@blp.route("/<int:org_id>")
class OrganisationItem(MethodView):
    @blp.response(200, OrganisationSchema)
    def get(self, org_id: int) -> Any:
        return orgs.get(db(), org_id)

"""Who the token belongs to."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from services import policies
from services.accounts import users as accounts
from webapp.api.auth import api_user
from webapp.api.core import api_blueprint
from webapp.database import db
from webapp.helpers import context

blp = api_blueprint("api_me", "/me", "The token's user")


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    roles = fields.List(fields.String())
    sgg_ids = fields.List(fields.Integer())
    organisation_ids = fields.List(fields.Integer())
    scope = fields.String()


class MePatchSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _me() -> dict[str, object]:
    user = api_user()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "roles": policies.role_labels(user),
        "sgg_ids": sorted(policies.sgg_ids(user)),
        "organisation_ids": sorted(policies.organisation_ids(user)),
        "scope": g.api_token.scope,
    }


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, object]:
        return _me()

    @blp.arguments(MePatchSchema)
    @blp.response(200, MeSchema)
    def patch(self, args: dict[str, str]) -> dict[str, object]:
        accounts.rename(db(), context(api_user()), args["name"])
        return _me()

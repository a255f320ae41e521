from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from services.accounts import api_tokens
from services.core.errors import ServiceError
from webapp.database import db
from webapp.fields import SelectField
from webapp.helpers import context
from webapp.refusals import refuse_form, refused, render_form

bp = Blueprint("account", __name__, url_prefix="/account")


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=100)],
        description="What the token is for, e.g. 'reporting script'.",
    )
    scope = SelectField(
        "Scope",
        choices=[("read", "Read only (GET)"), ("write", "Read and write")],
        default="read",
    )
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> tuple[str, int]:
    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        try:
            _token, raw = api_tokens.create_token(
                db(),
                context(),
                name=form.name.data or "",
                scope=form.scope.data,
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            form = TokenForm(formdata=None)
    return render_form(
        "account/tokens.html",
        form=form,
        raw=raw,
        tokens=api_tokens.list_tokens(db(), current_user),
        revoke_form=RevokeForm(),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    if not RevokeForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        token = api_tokens.revoke_token(db(), context(), token_id)
    except ServiceError as exc:
        return refused(exc, "account.tokens")
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("account.tokens"))

"""``/invitations/<token>``: the link of an invitation mail.

Signed in as the invited address: on to the invitation. An account exists for it: sign in
first (and come back here). No account yet: create it (name and password), signed in, on to
the invitation.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from services.consortia import invitees
from services.core.errors import ServiceError
from webapp.database import db
from webapp.helpers import context
from webapp.invitations.forms import InviteeAccountForm
from webapp.refusals import refuse_form, render_form

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@bp.route("/<token>", methods=["GET", "POST"])
def link(token: str) -> str | Response | tuple[str, int]:
    try:
        person = invitees.find_link(db(), token)
    except ServiceError as exc:
        return render_template("invitations/invalid.html", message=exc.message), exc.status
    if current_user.is_authenticated:
        inv = invitees.claim_link(db(), context(), token)  # a refusal is answered with its status
        return redirect(url_for("consortia.invitation", invitation_id=inv.id))
    if invitees.account_for(db(), person) is not None:
        flash(f"Sign in as {person.email} to see the invitation.", "info")
        return redirect(url_for("auth.login", next=request.path))
    form = InviteeAccountForm()
    if request.method == "GET":
        form.name.data = person.name
    if form.validate_on_submit():
        try:
            user = invitees.create_account(
                db(), context(), token, name=form.name.data or "", password=form.password.data or ""
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            session.clear()
            login_user(user)
            flash("Your account is ready and you are signed in.", "success")
            return redirect(url_for("consortia.invitation", invitation_id=person.invitation_id))
    return render_form("invitations/account.html", form=form, person=person)

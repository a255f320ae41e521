from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from models import User
from services import policies
from services.accounts import directory, memberships
from services.accounts import users as accounts
from services.core.errors import ServiceError
from services.notifications import outbox_log
from webapp.admin.forms import EmptyForm, InviteForm, OrgMembershipForm, RoleForm, SggMembershipForm
from webapp.database import db
from webapp.helpers import context
from webapp.pagination import paginate
from webapp.refusals import refuse_form, refused, render_form
from webapp.routing import optional_int

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not policies.is_admin(current_user):
        abort(403, "This page is for administrators.")


@bp.route("/users", methods=["GET", "POST"])
def users() -> tuple[str, int] | Response:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite_user(
                db(),
                context(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data,
                hours=current_app.config["TOKEN_HOURS"],
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("admin.users"))
    page = paginate(directory.listing_rows(), db())
    return render_form("admin/users.html", page=page, form=form)


def _user_or_404(user_id: int) -> User:
    return accounts.get_user(db(), user_id)


@bp.route("/users/<int:user_id>", methods=["GET"])
def user_detail(user_id: int) -> str:
    user = memberships.user_with_memberships(db(), user_id)
    role_form = RoleForm(role=user.role)
    sgg_form = SggMembershipForm()
    sgg_form.sgg_id.choices = [(s.id, s.name) for s in memberships.sgg_choices(db())]
    org_form = OrgMembershipForm()
    org_form.organisation_id.choices = memberships.organisations_with_roles(db()) + [
        (o.organisation_id, o.organisation.display_name) for o in user.org_memberships
    ]
    return render_template(
        "admin/user.html",
        user=user,
        role_form=role_form,
        sgg_form=sgg_form,
        org_form=org_form,
        remove_form=EmptyForm(),
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def set_role(user_id: int) -> Response:
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.set_role(db(), context(), user, form.role.data)
        except ServiceError as exc:
            return refused(exc, "admin.user_detail", user_id=user.id)
        flash(f"{user.name} is now {user.role}.", "success")
    else:
        return refused("Choose one of the listed roles.", "admin.user_detail", user_id=user.id)
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/sgg", methods=["POST"])
def add_sgg(user_id: int) -> Response:
    user = _user_or_404(user_id)
    sgg_id = optional_int(request.form.get("sgg_id"))
    if sgg_id is None:
        return refused("Choose an SGG.", "admin.user_detail", user_id=user.id)
    try:
        memberships.add_to_sgg(db(), context(), user, sgg_id)
    except ServiceError as exc:
        return refused(exc, "admin.user_detail", user_id=user.id)
    flash("SGG membership added.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/organisation", methods=["POST"])
def add_organisation(user_id: int) -> Response:
    user = _user_or_404(user_id)
    org_id = optional_int(request.form.get("organisation_id"))
    if org_id is None:
        return refused("Choose an organisation.", "admin.user_detail", user_id=user.id)
    try:
        memberships.add_to_organisation(db(), context(), user, org_id, request.form.get("role", ""))
    except ServiceError as exc:
        return refused(exc, "admin.user_detail", user_id=user.id)
    flash("Organisation role added.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/memberships/<kind>/<int:membership_id>/remove", methods=["POST"])
def remove_membership(user_id: int, kind: str, membership_id: int) -> Response:
    user = _user_or_404(user_id)
    if kind not in ("sgg", "organisation"):
        abort(404)
    try:
        memberships.remove_membership(db(), context(), user, kind, membership_id)
    except ServiceError as exc:
        return refused(exc, "admin.user_detail", user_id=user.id)
    flash("Membership removed.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/outbox")
def outbox() -> str:
    status = request.args.get("status") or None
    page = paginate(outbox_log.listing(status), db())
    counts = outbox_log.status_counts(db())
    return render_template("admin/outbox.html", page=page, counts=counts, status=status)


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id: int) -> str:
    message = outbox_log.get_message(db(), message_id)
    return render_template("admin/outbox_message.html", message=message)

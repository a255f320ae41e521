from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from models.accounts import GLOBAL_ROLES
from webapp.fields import SelectField

ROLE_CHOICES = [(r, r.capitalize()) for r in GLOBAL_ROLES]


class InviteForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="viewer")
    submit = SubmitField("Send invitation")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class SggMembershipForm(FlaskForm):
    sgg_id = SelectField("SGG", coerce=int)
    submit = SubmitField("Add to SGG")


class OrgMembershipForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=int)
    role = SelectField(
        "Acts as",
        choices=[("partner_rep", "Partner representative"), ("applicant", "Applicant")],
    )
    submit = SubmitField("Add to organisation")


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""

    submit = SubmitField("Confirm")

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


class ProgrammeRulesForm(FlaskForm):
    """Typed as text: the service checks every rule and answers with field errors."""

    threshold_each = StringField(
        "Threshold per criterion", description="0 to 5 in half points (IMI/IHI: 3)."
    )
    threshold_total = StringField(
        "Overall threshold", description="Sum of the three criteria, 0 to 15 (IMI/IHI: 10)."
    )
    stage1_threshold_each = StringField(
        "Stage 1 threshold per criterion",
        description="Two-stage calls score excellence and impact at stage 1 (IMI/IHI: 4).",
    )
    matching_ratio = StringField(
        "EU matching ratio",
        description="EU euros per eligible euro contributed, above 0 and at most 1 (1 is 1:1).",
    )
    partner_envelope = StringField(
        "Partner envelope (EUR)",
        description="Cap on EU matching of associated and contributing partners (IMI2: "
        "213,000,000.00); never below what confirmed pledges already drew.",
    )
    ikaa_max_share = StringField(
        "IKAA maximum share (%)",
        description="Of members' in-kind contributions, programme-wide (IHI: 40).",
    )
    third_country_max_share = StringField(
        "Third-country maximum share (%)",
        description="Costs in non-associated third countries, of IKOP (IHI: 20).",
    )
    min_contribution_share = StringField(
        "Minimum contribution share (%)",
        description="Contributions as a share of a topic's total cost (IHI: 45).",
    )
    min_consortium_size = StringField(
        "Minimum consortium size", description="Independent legal entities, 3 to 100."
    )
    min_countries = StringField(
        "Minimum number of countries",
        description="Different EU member states or associated countries, at most the size.",
    )
    reminder_days = StringField(
        "Deadline reminders (days before)",
        description="Whole days separated by commas, e.g. 14, 7, 1; empty: no reminders.",
    )
    review_days = StringField(
        "Days given for a review",
        description="The default deadline of a new review assignment, 1 to 365 days.",
    )
    review_reminder_days = StringField(
        "Review reminders (days before)",
        description="Whole days before a review's deadline, e.g. 3, 1; empty: no reminders.",
    )
    timezone = StringField(
        "Time zone", description="An IANA name such as Europe/Brussels: new calls start in it."
    )
    submit = SubmitField("Save settings")

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from models.organisations import PARTNER_TYPES
from models.pledges import PLEDGE_KIND_LABELS
from webapp.fields import RadioField, SelectField

MONEY_HINT = "EUR with cents, e.g. 1,250,000.00"


def _money(label: str, description: str = "") -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=40)],
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class PledgeForm(FlaskForm):
    """Amounts are text: services.pledge_input parses them strictly and names bad fields."""

    topic_id = SelectField("Topic", coerce=int)
    organisation_id = SelectField("Pledging organisation", coerce=int)
    kind = SelectField("Kind of contribution", choices=list(PLEDGE_KIND_LABELS.items()))
    amount = StringField(
        "Amount (EUR)",
        validators=[Length(max=40)],
        description=MONEY_HINT,
        render_kw={"inputmode": "decimal", "autocomplete": "off", "required": True},
    )
    personnel = _money("Personnel", "In-kind only: the breakdown must add up to the amount.")
    consumables = _money("Consumables")
    equipment = _money("Equipment")
    samples = _money("Samples and compounds")
    subcontracting = _money("Subcontracting")
    other = _money("Other costs")
    third_country_costs = _money(
        "Costs in non-associated third countries (EUR)",
        "In-kind to operational activities only; part of the amount above.",
    )
    entity = RadioField(
        "Contributing entity",
        choices=[("self", "The organisation itself"), ("affiliated", "An affiliated entity")],
        default="self",
    )
    affiliated_entity = StringField(
        "Affiliated entity's legal name", validators=[Optional(), Length(max=300)]
    )
    start_year = StringField("Start year", validators=[Optional(), Length(max=4)])
    end_year = StringField("End year", validators=[Optional(), Length(max=4)])
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save draft")


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Send")


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that POST."""

    submit = SubmitField("Confirm")


class ApplicationForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=int)
    programme_id = SelectField("Programme", coerce=int)
    partner_type = SelectField(
        "Apply as",
        choices=[(t, f"{t.capitalize()} partner") for t in PARTNER_TYPES],
    )
    motivation = TextAreaField("Motivation", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Apply")


class DecisionForm(FlaskForm):
    note = TextAreaField("Note (required to reject)", validators=[Optional(), Length(max=5000)])
    decision = SelectField("Decision", choices=[("approve", "Approve"), ("reject", "Reject")])
    submit = SubmitField("Decide")

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from matching.sectors import SECTORS
from webapp.fields import SelectField

SECTOR_FIELDS = tuple(f"seats_{s}" for s in SECTORS)


class RequestForm(FlaskForm):
    size = IntegerField("Consortium size", validators=[NumberRange(1, 200)])
    min_countries = IntegerField("Minimum countries", validators=[NumberRange(0, 50)])
    max_per_country = IntegerField(
        "Maximum members per country", validators=[Optional(), NumberRange(1, 200)]
    )
    min_sme_share = DecimalField(
        "Minimum SME share (0-1)", places=2, validators=[NumberRange(0, 1)]
    )
    capacity = IntegerField(
        "Capacity (leave out organisations already in this many consortia)",
        validators=[Optional(), NumberRange(1, 100)],
    )
    sector_mode = SelectField(
        "Sector targets", choices=[("hard", "Required"), ("soft", "Preferred (penalty)")]
    )
    industry_partners = SelectField(
        "The topic's industry partners",
        choices=[
            ("exclude", "Exclude (stage-1 applicant consortium)"),
            ("include", "Include as required members"),
            ("ignore", "Treat like anyone else"),
        ],
    )
    alternates = IntegerField("Ranked alternates to keep", validators=[NumberRange(0, 500)])
    must_include = StringField("Required organisation ids (comma separated)")
    exclude = StringField("Excluded organisation ids (comma separated)")
    submit = SubmitField("Request suggestions")


for _s in SECTORS:
    setattr(
        RequestForm,
        f"seats_{_s}",
        IntegerField(f"Seats: {_s}", validators=[Optional(), NumberRange(0, 200)]),
    )


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class SeatForm(FlaskForm):
    """Seat an organisation: in place of a member (``replace``) or in an extra seat."""

    organisation_id = IntegerField("Organisation", validators=[InputRequired()])
    replace = IntegerField("In place of", validators=[Optional()])

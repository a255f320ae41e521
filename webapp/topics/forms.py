from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.organisations import SECTOR_LABELS, SECTORS
from models.programmes import CALL_TYPES
from webapp.fields import RadioField, SelectField, SelectMultipleField
from webapp.routing import optional_int

MARKDOWN_HINT = "Markdown: **bold**, *italic*, lists with -, links as [text](https://...)."


class TopicForm(FlaskForm):
    sgg_id = SelectField("SGG", coerce=optional_int)
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    identifier = StringField("Topic identifier", validators=[Optional(), Length(max=80)])
    area_id = SelectField("Scientific area", coerce=optional_int)
    call_id = SelectField("Call", coerce=optional_int)
    challenge = TextAreaField("Challenge", description=MARKDOWN_HINT)
    scope = TextAreaField("Scope", description=MARKDOWN_HINT)
    expected_outcomes = TextAreaField("Expected outcomes", description=MARKDOWN_HINT)
    expected_impact = TextAreaField("Expected impact", description=MARKDOWN_HINT)
    keywords = StringField("Required expertise (keywords, comma-separated)")
    eu_contribution = DecimalField(
        "Indicative EU contribution (EUR)", places=2, validators=[Optional(), NumberRange(min=0)]
    )
    industry_contribution = DecimalField(
        "Expected industry contribution (EUR)",
        places=2,
        validators=[Optional(), NumberRange(min=0)],
    )
    duration_months = IntegerField(
        "Duration (months)", validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    industry_partner_ids = SelectMultipleField("Pre-defined industry consortium", coerce=int)
    consortium_size_min = IntegerField(
        "Smallest applicant consortium", validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    consortium_size_max = IntegerField(
        "Largest applicant consortium", validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    min_countries = IntegerField(
        "Minimum number of countries", validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    sme_share = DecimalField(
        "SME share (0 to 1)", places=4, validators=[Optional(), NumberRange(min=0, max=1)]
    )
    note = StringField("What changed (optional)", validators=[Optional(), Length(max=300)])
    version = HiddenField()
    submit = SubmitField("Save")


# One field per sector: a count ("6") or a share ("30%").
for _sector in SECTORS:
    setattr(
        TopicForm,
        f"target_{_sector}",
        StringField(
            SECTOR_LABELS[_sector],
            validators=[Optional(), Length(max=10)],
            description="members (e.g. 6) or share (e.g. 30%)",
        ),
    )


class TransitionForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=5000)])


class CallForm(FlaskForm):
    programme_id = SelectField("Programme", coerce=optional_int)
    identifier = StringField("Call identifier", validators=[DataRequired(), Length(max=60)])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    call_type = SelectField(
        "Type", choices=[(c, c.replace("_", "-")) for c in CALL_TYPES], default="two_stage"
    )
    timezone = StringField(
        "Timezone of the deadlines", default="Europe/Brussels", validators=[DataRequired()]
    )
    stage1_local = DateTimeLocalField(
        "Stage 1 deadline (local time)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    stage2_local = DateTimeLocalField(
        "Stage 2 deadline (local time)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submit = SubmitField("Save call")


class CallTopicForm(FlaskForm):
    # Any id is taken: the service checks it and says why a topic cannot join.
    topic_id = SelectField(
        "Approved topic of the programme", coerce=optional_int, validate_choice=False
    )
    submit = SubmitField("Add to the call")


class AssignReviewerForm(FlaskForm):
    """One candidate of the reviewer picker; the service checks reviewer, date and reason."""

    reviewer_id = HiddenField()
    due_date = StringField("Review by", validators=[Optional(), Length(max=20)])
    override_reason = TextAreaField("Reason to override the conflict", validators=[Optional()])


class ReviewDeadlineForm(FlaskForm):
    due_date = StringField("New deadline", validators=[Optional(), Length(max=20)])


class CoiForm(FlaskForm):
    coi = RadioField(
        "Conflict of interest",
        choices=[("none", "I have no conflict of interest"), ("conflicted", "I am conflicted")],
        validators=[DataRequired()],
    )
    coi_reason = TextAreaField("Reason (if conflicted)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Declare")


class ReviewForm(FlaskForm):
    excellence = StringField("Excellence (0-5, half points)")
    impact = StringField("Impact (0-5, half points)")
    implementation = StringField("Implementation (0-5, half points)")
    comments = TextAreaField("Comments", validators=[Optional(), Length(max=20000)])
    submit = SubmitField("Submit review")


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=20000)])
    level = SelectField("Who may read it", default="all")
    parent_id = HiddenField()
    submit = SubmitField("Add comment")

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from services.organisations.contacts import FUNCTION_MAX, NAME_MAX
from services.organisations.join_requests import NOTE_MAX, REASON_MAX, ROLE_LABELS
from webapp.fields import SelectField


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    function = StringField(
        "Function",
        validators=[Optional(), Length(max=FUNCTION_MAX)],
        description="E.g. principal investigator, grants office.",
    )
    submit = SubmitField("Add contact")


class ContactImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        description="Columns: organisation (PIC or id; may be left out here), name, email, "
        "function. UTF-8, separated by ; or ,.",
    )
    submit = SubmitField("Import contacts")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class JoinForm(FlaskForm):
    note = TextAreaField(
        "A short note for the people who decide",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="Who you are there, e.g. 'I lead the vaccine lab since 2021'.",
    )
    submit = SubmitField("Ask to join")


class ApproveForm(FlaskForm):
    role = SelectField(
        "Role", choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()], default="applicant"
    )
    submit = SubmitField("Approve")


class RefuseForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=REASON_MAX)])
    submit = SubmitField("Refuse")

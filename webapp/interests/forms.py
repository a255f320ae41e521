"""The forms of the interest panel (a note of what the organisation brings)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length

from models.interests import NOTE_MAX

NOTE_LABEL = "What your organisation brings (optional)"


class ExpressForm(FlaskForm):
    organisation_id = IntegerField("Organisation", validators=[InputRequired()])
    note = TextAreaField(NOTE_LABEL, validators=[Length(max=NOTE_MAX)])


class NoteForm(FlaskForm):
    note = TextAreaField(NOTE_LABEL, validators=[Length(max=NOTE_MAX)])


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""

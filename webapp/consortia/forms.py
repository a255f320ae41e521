"""The match-request form, built from the parameter declaration in services.consortia.params.

Each field's label, choices and HTML limits come from the declaration; its check is the
service's own (``Param.check``), so errors show beside the field with the service's words.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    Field,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from matching.sectors import SECTORS
from services.consortia.params import PARAMS, SECTOR_COUNTS, Param
from webapp.fields import SelectField

SECTOR_FIELDS = tuple(f"seats_{s}" for s in SECTORS)
ID_LISTS = ("must_include", "exclude")  # chosen with the picker (webapp.consortia.picker)


class IdListField(Field):
    """Organisation ids sent as repeated values (the picker's checkboxes); a value may also
    hold several ids separated by commas. The values are kept as sent: the service refuses
    what is not an id of a known organisation."""

    def __init__(self, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, default=(), **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [x for value in valuelist for x in _split(value)]


class DeclaredCheck:
    """A WTForms validator running the declaration's check of one parameter, looked up
    when the form is checked (the HTML limits are taken once, when the form is defined)."""

    def __init__(self, name: str, sector: str | None = None) -> None:
        self.name, self.sector = name, sector
        self.field_flags = {"min": PARAMS[name].lo, "max": PARAMS[name].hi}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.process_errors:  # not a number at all: WTForms has said so already
            return
        param = PARAMS[self.name]
        if self.sector is not None:
            problems = param.seat_errors(self.sector, field.data)
        else:
            problems = param.check(field.data)[1]
        if problems:
            raise ValidationError(" ".join(problems))


def _field(param: Param) -> Field:
    if param.kind == "choice":  # a form sent without the field keeps the declared default
        return SelectField(param.label, choices=list(param.choices), default=param.default)
    if param.kind == "organisations":
        return IdListField(param.label)
    optional = [Optional()] if param.nullable else []
    if param.kind == "share":
        return DecimalField(
            param.label, places=2, default=param.default, validators=[DeclaredCheck(param.name)]
        )
    return IntegerField(param.label, validators=[*optional, DeclaredCheck(param.name)])


def _seat_field(sector: str) -> Field:
    return IntegerField(
        f"Seats: {sector}", validators=[Optional(), DeclaredCheck(SECTOR_COUNTS.name, sector)]
    )


class RequestForm(FlaskForm):
    """One field per declared parameter (seats: one per sector); see ``_declare_fields``.
    ``org_q`` is the picker's search box (not a parameter)."""

    submit = SubmitField("Request suggestions")
    org_q = StringField("Find an organisation by name or PIC", validators=[Optional()])

    def fill(self, defaults: dict[str, Any]) -> None:
        """Show ``defaults`` (the topic's) in the fields."""
        for name in PARAMS:
            if name in self and name not in ID_LISTS:
                self[name].data = defaults[name]
        for name in SECTOR_FIELDS:
            self[name].data = defaults["sector_counts"].get(name.removeprefix("seats_"))

    def raw_params(self) -> dict[str, Any]:
        """The parameters as typed, for ``params.validate`` (through request_match)."""
        raw = {name: self[name].data for name in PARAMS if name in self}
        raw["min_sme_share"] = float(raw["min_sme_share"] or 0)
        for name in ID_LISTS:
            raw[name] = [_id_or_text(x) for x in raw[name] or ()]
        raw["sector_counts"] = {
            name.removeprefix("seats_"): self[name].data or 0 for name in SECTOR_FIELDS
        }
        return raw


def _declare_fields() -> None:
    for name, param in PARAMS.items():
        if param is not SECTOR_COUNTS:
            setattr(RequestForm, name, _field(param))
    for name in SECTOR_FIELDS:
        setattr(RequestForm, name, _seat_field(name.removeprefix("seats_")))


_declare_fields()


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").replace(";", ",").split(",") if x.strip()]


def _id_or_text(text: str) -> int | str:
    """A typed id as a number; anything else as typed, for the service to refuse."""
    return int(text) if text.isdigit() else text


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class SeatForm(FlaskForm):
    """Seat an organisation: in place of a member (``replace``) or in an extra seat."""

    organisation_id = IntegerField("Organisation", validators=[InputRequired()])
    replace = IntegerField("In place of", validators=[Optional()])


class DeclineForm(FlaskForm):
    """Decline with a reason (checked by the service: required, at most 2000 characters)."""

    reason = TextAreaField("Why does your organisation decline?")


class ContactForm(FlaskForm):
    """A contact for a member without anyone to invite (checked by the service)."""

    name = StringField("Name")
    email = EmailField("Email")
    function = StringField("Function (optional)")

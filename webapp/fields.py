"""Choice fields: long option lists rendered quickly, choices given as plain tuples.

WTForms builds every ``<option>`` through ``html_params`` and ``Markup``, about 50 µs
each: a pledge form offering 400 open topics spent most of its time there. This widget
writes plain options in one pass and keeps WTForms' rendering for anything unusual
(option groups, per-option attributes). Validation is WTForms' own.

WTForms 3.3 deprecates ``(value, label)`` tuples as choices (gone in 3.4); the fields here
turn them into ``SelectChoice`` whenever choices are set, so forms keep the short form.
"""

from __future__ import annotations

from typing import Any

import wtforms
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from webapp.widgets import html_params


class FastSelect(Select):
    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        choices = field._choices_from_input(field.choices) or []
        if any(c.optgroup is not None or c.render_kw for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        chosen = _selected_values(field)
        parts = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for c in choices:
            value = str(c.value) if isinstance(c.value, bool) else c.value
            mark = "selected " if _is_selected(field, c.value, chosen) else ""
            label = c.label if c.label is not None else c.value
            parts.append(f'<option {mark}value="{escape(value)}">{escape(label)}</option>')
        parts.append("</select>")
        return Markup("".join(parts))  # noqa: S704  # nosec B704 # - value and label escaped above


def _selected_values(field: Any) -> set[Any] | None:
    if isinstance(field, wtforms.SelectMultipleField):
        return set(field.data or ())
    return None


def _is_selected(field: Any, value: Any, chosen: set[Any] | None) -> bool:
    """The same test as WTForms' ``iter_choices`` (coerce the option, compare to data)."""
    try:
        coerced = field.coerce(value)
    except (TypeError, ValueError):
        return False
    return coerced in chosen if chosen is not None else coerced == field.data


def as_select_choices(choices: Any) -> Any:
    """``(value, label[, render_kw])`` tuples as ``SelectChoice``; anything else unchanged."""
    if choices is None or callable(choices) or isinstance(choices, dict):
        return choices
    return [SelectChoice(*c) if isinstance(c, tuple) else c for c in choices]


class _TupleChoices:
    """``choices`` that may be given or assigned as tuples, stored as ``SelectChoice``."""

    def __init__(self, *args: Any, choices: Any = None, **kwargs: Any) -> None:
        # A mixin: the next class in the MRO is the wtforms field, which takes ``choices``.
        super().__init__(*args, choices=as_select_choices(choices), **kwargs)  # type: ignore[call-arg]

    @property
    def choices(self) -> Any:
        return wtforms.SelectField.choices.fget(self)

    @choices.setter
    def choices(self, value: Any) -> None:
        wtforms.SelectField.choices.fset(self, as_select_choices(value))


class SelectField(_TupleChoices, wtforms.SelectField):
    widget = FastSelect()


class SelectMultipleField(_TupleChoices, wtforms.SelectMultipleField):
    widget = FastSelect(multiple=True)


class RadioField(_TupleChoices, wtforms.RadioField):
    pass

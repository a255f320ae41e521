"""Select fields that render long option lists quickly.

WTForms builds every ``<option>`` through ``html_params`` and ``Markup``, about 50 µs
each: a pledge form offering 400 open topics spent most of its time there. This widget
writes plain options in one pass and keeps WTForms' rendering for anything unusual
(option groups, per-option attributes). Validation is WTForms' own.
"""

from __future__ import annotations

from typing import Any

import wtforms
from markupsafe import Markup, escape
from wtforms.widgets import Select, html_params


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


class SelectField(wtforms.SelectField):
    widget = FastSelect()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = FastSelect(multiple=True)

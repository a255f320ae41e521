"""``render_field`` (webapp/widgets.py) writes what the ``field`` macro of
templates/_forms.html wrote, to the character, for every field of every form of the
project: empty, filled with text that needs escaping, and with errors."""

from __future__ import annotations

import contextlib
import importlib
import inspect
from typing import Any

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from webapp.widgets import render_field

# The macro, word for word (one tag split over two lines: the output is the same).

OLD_MACRO = """{% macro field(f, autocomplete=None) %}
<div class="field{% if f.errors %} has-error{% endif %}">
  {% if f.type == 'BooleanField' %}
    {{ f(**({'aria-describedby': f.id ~ '-err'} if f.errors else {})) }} {{ f.label }}
  {% else %}
    {{ f.label }}{% if f.flags.required %} <span class="req" aria-hidden="true">*</span>{% endif %}
    {% set attrs = {'aria-invalid': 'true', 'aria-describedby': f.id ~ '-err'}
                   if f.errors else {} %}
    {% if autocomplete %}{% set _ = attrs.update({'autocomplete': autocomplete}) %}{% endif %}
    {{ f(**attrs) }}
  {% endif %}
  {% if f.description %}<p class="hint">{{ f.description }}</p>{% endif %}
  {% if f.errors %}
  <p class="error" id="{{ f.id }}-err">{{ f.errors|join(' ') }}</p>
  {% endif %}
</div>
{% endmacro %}{{ field(f, autocomplete) }}"""

MODULES = [
    "webapp.interests.forms", "webapp.admin.forms", "webapp.auth.forms",
    "webapp.pledges.forms", "webapp.topics.forms", "webapp.account.views",
    "webapp.consortia.forms", "webapp.notifications.views", "webapp.organisations.forms",
    "webapp.invitations.forms", "webapp.people.forms",
]  # fmt: skip
NASTY = "<script>alert(\"x\")</script> & 'q'"


def _form_classes() -> list[type[FlaskForm]]:
    found = []
    for name in MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm and cls.__module__ == name:
                found.append(cls)
    return found


def _build(cls: type[FlaskForm], data: MultiDict[str, str] | None) -> FlaskForm | None:
    try:
        return cls(formdata=data, meta={"csrf": False})
    except TypeError:  # forms that need arguments are covered by the page tests
        return None


@pytest.mark.parametrize("cls", _form_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
@pytest.mark.parametrize("state", ["empty", "data", "errors"])
def test_render_field_matches_old_macro(app: Any, cls: type[FlaskForm], state: str) -> None:
    with app.test_request_context("/", method="POST"):
        template = app.jinja_env.from_string(OLD_MACRO)
        probe = _build(cls, None)
        if probe is None:
            pytest.skip(f"{cls.__name__} takes constructor arguments: its page's tests render it")
        data = MultiDict({f.name: NASTY for f in probe}) if state != "empty" else None
        form = _build(cls, data)
        assert form is not None
        if state == "errors":
            with contextlib.suppress(TypeError):  # choices the view sets: errors added below
                form.validate()
        for f in form:
            if f.widget is None:  # a container (FormField's parts are rendered one by one)
                continue
            if state == "errors":
                f.errors = [*list(f.errors or []), NASTY, "second"]
            for autocomplete in (None, "off"):
                old = template.render(f=f, autocomplete=autocomplete)
                assert str(render_field(f, autocomplete)) == old, f.name
        if state != "empty":
            assert "<script>" not in "".join(str(render_field(f)) for f in form if f.widget)

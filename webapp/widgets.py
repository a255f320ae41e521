"""WTForms' HTML attributes written in one pass.

Every input, label, text area and select WTForms renders goes through its
``html_params``, which formats each attribute with ``Markup.format`` (Python's
``string.Formatter``): about 450 Python calls per input, so a form page with a dozen
fields spent more on its inputs than on its queries. ``html_params`` here writes the same
string (WTForms' escaping and order, checked by tests/web/test_input_params.py and
tests/web/test_fast_widgets.py): text escaped with one ``str.translate``, attribute names
remembered. ``init_app`` puts it everywhere WTForms looks the function up.
"""

from __future__ import annotations

from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.widgets.core import Button, Input, clean_key

from webapp.templating import ENTITIES

WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params
# markupsafe's escaping of text as one ``str.translate`` (the same five entities), and the
# attribute names written so far (keyword -> escaped HTML name; the keywords come from code).

_NAMES: dict[str, str] = {}
_NAMES_MAX = 1000


def _name(key: str) -> str:
    name = str(escape(clean_key(key)))
    if len(_NAMES) < _NAMES_MAX:
        _NAMES[key] = name
    return name


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``, to the character: sorted keys, ``True`` as a bare
    name, ``False`` left out, values escaped (a quote in a value that is already markup
    written as ``&quot;``)."""
    parts: list[str] = []
    for key, value in sorted(kwargs.items()):
        name = _NAMES.get(key) or _name(key)
        if value is True:
            parts.append(name)
        elif value is False:
            continue
        elif type(value) is str:
            parts.append(f'{name}="{value.translate(ENTITIES)}"')
        else:  # markup, numbers, None: as markupsafe writes them
            text = str(escape(value))
            if '"' in text:  # a Markup value keeps its quotes: WTForms writes them &quot;
                text = text.replace('"', "&quot;")
            parts.append(f'{name}="{text}"')
    return Markup(" ".join(parts))  # noqa: S704  # nosec B704 # - keys and values escaped above


def render_field(f: Any, autocomplete: str | None = None) -> Markup:
    """The ``field`` of templates/_forms.html, to the character (tests/web/test_render_field.py
    renders every form with the macro it replaced): the label, a required marker, the input
    (``aria-invalid`` and ``aria-describedby`` when it has errors, a check box before its
    label), the hint and the errors. A Jinja macro spent about 160 calls on each field."""
    errors = f.errors
    if f.type == "BooleanField":
        widget = f(**{"aria-describedby": f"{f.id}-err"}) if errors else f()
        body = f"\n    {widget} {f.label.__html__()}\n  "
    else:
        attrs = {"aria-invalid": "true", "aria-describedby": f"{f.id}-err"} if errors else {}
        if autocomplete:
            attrs["autocomplete"] = autocomplete
        req = ' <span class="req" aria-hidden="true">*</span>' if f.flags.required else ""
        body = f"\n    {f.label.__html__()}{req}\n    \n    \n    {f(**attrs)}\n  "
    description = f.description
    hint = f'<p class="hint">{escape(description)}</p>' if description else ""
    if errors:
        error = f'\n  <p class="error" id="{escape(f.id)}-err">{Markup(" ").join(errors)}</p>\n  '
        html = f'\n<div class="field has-error">\n  {body}\n  {hint}\n  {error}\n</div>\n'
    else:
        html = f'\n<div class="field">\n  {body}\n  {hint}\n  \n</div>\n'
    return Markup(html)  # noqa: S704  # nosec B704 # - label and input are markup, text escaped


def init_app(app: Any = None) -> None:
    """WTForms looks the function up in three places: the static method of ``Input`` and
    ``Button`` (inputs, the CSRF token, submit buttons), the widgets module (selects, text
    areas) and the package (labels). Templates get ``render_field`` (``field`` of
    templates/_forms.html)."""
    if app is not None:
        app.add_template_global(render_field)
    Input.html_params = staticmethod(html_params)
    Button.html_params = staticmethod(html_params)
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params

"""WTForms' ``<input>`` attributes written in one pass.

Every ``<input>`` WTForms renders (text fields, the CSRF token, submit buttons) goes
through ``Input.html_params``, which formats each attribute with ``Markup.format``
(Python's ``string.Formatter``): about 450 Python calls per input, so a form page with a
dozen fields spent more on its inputs than on its queries. ``html_params`` here writes
the same string (WTForms' escaping and order, checked by tests/web/test_input_params.py)
with one ``escape`` per key and value. ``Input.html_params`` is the static method WTForms
provides to change exactly this; ``init_app`` sets it once for every input widget.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms.widgets.core import Input, clean_key


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``, to the character."""
    parts: list[str] = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            parts.append(name)
        elif value is not False:
            text = str(escape(value))
            if '"' in text:  # a Markup value keeps its quotes: WTForms writes them &quot;
                text = text.replace('"', "&quot;")
            parts.append(f'{name}="{text}"')
    return Markup(" ".join(parts))  # noqa: S704  # nosec B704 # - keys and values escaped above


def init_app(_app: object = None) -> None:
    Input.html_params = staticmethod(html_params)

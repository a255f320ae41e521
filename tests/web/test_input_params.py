"""webapp.widgets.html_params writes what WTForms' html_params writes."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms.widgets import core

from webapp.widgets import WTFORMS_HTML_PARAMS, html_params

CASES = [
    {},
    {"name": "title", "id": "title", "type": "text", "value": ""},
    {"value": 'say "hi" & <b>bye</b>', "name": "q"},
    {"value": Markup('already "safe" <i>x</i>'), "class_": "button"},
    {"required": True, "readonly": False, "maxlength": 200, "name": "n"},
    {"data_role_name": "x", "aria_describedby": "f-err", "aria_invalid": "true"},
    {"for_": "id", "value": 0, "min": 1.5, "list": None},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_same_as_wtforms(kwargs: dict[str, object]) -> None:
    ours = html_params(**kwargs)
    assert isinstance(ours, Markup)
    assert str(ours) == str(WTFORMS_HTML_PARAMS(**kwargs))


def test_inputs_use_it(app: object) -> None:
    assert core.Input.html_params is html_params

"""The fast select widget renders what WTForms' own would, and the window-count paginator
agrees with a plain COUNT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import wtforms
from markupsafe import Markup
from sqlalchemy import select
from wtforms.widgets import Select

from models import User
from webapp.fields import SelectField, SelectMultipleField
from webapp.pagination import paginate


def _form(field: Any, data: dict[str, Any] | None = None) -> Any:
    class F(wtforms.Form):
        choice = field

    from werkzeug.datastructures import MultiDict

    return F(MultiDict(data or {}))


CHOICES = [(1, "Alpha & <Beta>"), (2, 'Quote "q"'), (3, "Plain")]


@pytest.mark.parametrize("picked", [None, "2", "3"])
def test_single_select_matches_wtforms(picked: str | None) -> None:
    data = {"choice": picked} if picked else {}
    fast = _form(SelectField("Choice", coerce=int, choices=CHOICES), data).choice
    slow = _form(wtforms.SelectField("Choice", coerce=int, choices=CHOICES), data).choice
    assert str(fast()) == str(Select()(slow))
    html = str(fast(**{"aria-invalid": "true"}))
    assert "Alpha &amp; &lt;Beta&gt;" in html and "&#34;q&#34;" in html
    assert html.count("<option selected") == (1 if picked else 0)


def test_optional_choice_and_multiple_select_match_wtforms() -> None:
    def optional(v: Any) -> int | None:
        return int(v) if v not in (None, "", "None") else None

    choices = [(None, "—"), *CHOICES]
    fast = _form(SelectField("C", coerce=optional, choices=choices), {"choice": "3"}).choice
    slow = _form(wtforms.SelectField("C", coerce=optional, choices=choices), {"choice": "3"})
    assert str(fast()) == str(Select()(slow.choice))

    from werkzeug.datastructures import MultiDict

    class M(wtforms.Form):
        fast = SelectMultipleField("M", coerce=int, choices=CHOICES)
        slow = wtforms.SelectMultipleField("M", coerce=int, choices=CHOICES)

    form = M(MultiDict([("fast", "1"), ("fast", "3"), ("slow", "1"), ("slow", "3")]))
    assert str(form.fast()).replace('name="fast"', "").replace('id="fast"', "") == str(
        Select(multiple=True)(form.slow)
    ).replace('name="slow"', "").replace('id="slow"', "")
    assert str(form.fast()).count("<option selected") == 2


def test_groups_and_option_attributes_fall_back_to_wtforms() -> None:
    grouped = {"Europe": [(1, "DE"), (2, "FR")], "Elsewhere": [(3, "US")]}
    field = _form(SelectField("G", coerce=int, choices=grouped)).choice
    assert '<optgroup label="Europe">' in str(field())
    with_attrs = [wtforms.fields.choices.SelectChoice(1, "One", render_kw={"disabled": True})]
    field = _form(SelectField("A", coerce=int, choices=with_attrs)).choice
    assert "disabled" in str(field())


def test_window_paginator_matches_count(app: Any, db: Any, make_user: Any) -> None:
    for i in range(7):
        make_user(email=f"pager{i}@example.org")
    query = select(User).where(User.email.like("pager%")).order_by(User.name)
    with app.test_request_context("/?page=2&per_page=3"):
        page = paginate(query, db)
        assert (page.total, page.page, page.pages) == (7, 2, 3)
        assert [u.name for u in page.items] == ["pager3", "pager4", "pager5"]
    with app.test_request_context("/?page=99&per_page=3"):  # past the end: the last page
        page = paginate(query, db)
        assert (page.total, page.page, [u.name for u in page.items]) == (7, 3, ["pager6"])
    with app.test_request_context("/?page=x"):
        page = paginate(query.where(User.email == "nobody"), db)
        assert (page.total, page.page, page.items) == (0, 1, [])


def test_tuple_choices_become_select_choices_without_deprecation_warnings() -> None:
    import warnings

    from werkzeug.datastructures import MultiDict

    from webapp.fields import RadioField

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)

        class F(wtforms.Form):
            one = SelectField("One", coerce=int, choices=CHOICES)
            pick = RadioField("Pick", choices=[("yes", "Yes"), ("no", "No")])
            many = SelectMultipleField("Many", coerce=int)

        form = F(MultiDict([("one", "3"), ("pick", "no"), ("many", "1"), ("many", "2")]))
        form.many.choices = CHOICES  # assigned at run time, as the views do
        assert form.validate(), form.errors
        assert (form.one.data, form.pick.data, form.many.data) == (3, "no", [1, 2])
        str(form.one()), str(form.pick()), str(form.many())
    assert all(isinstance(c, wtforms.fields.choices.SelectChoice) for c in form.many.choices)
    bad = F(MultiDict([("one", "9"), ("pick", "maybe")]))
    bad.many.choices = CHOICES
    assert not bad.validate() and set(bad.errors) == {"one", "pick"}


class _Html:
    def __html__(self) -> str:
        return '<b title="x">bold</b>'


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"name": "title", "id": "title", "value": "Tom & Jerry <b> \"quoted\" 'single'"},
        {"class_": "button", "for_": "x", "data_topic_id": 7, "aria_describedby": "x-err"},
        {"required": True, "disabled": False, "readonly": True, "value": None},
        {"value": 0, "step": "any", "min": 1.5, "aria-invalid": "true"},
        {"title": Markup('<i>pre-escaped</i> "raw quote"'), "placeholder": "ünïcode — ok"},
        {"value": Decimal("1250000.50"), "min": -3, "data_x": 2.5, "class": "a&b"},
        {"title": _Html(), "value": "&amp; already an entity", "aria_label": "<>&\"'"},
    ],
)
def test_html_params_writes_what_wtforms_writes(attrs: dict[str, Any]) -> None:
    from webapp.widgets import WTFORMS_HTML_PARAMS, html_params

    fast = html_params(**attrs)
    assert isinstance(fast, Markup)
    assert str(fast) == str(WTFORMS_HTML_PARAMS(**attrs))


def test_installed_html_params_render_fields_as_wtforms_did() -> None:
    """Inputs, labels, text areas, buttons and selects with the fast function in place
    (``webapp.widgets.init_app``, as ``create_app`` calls it) equal WTForms' own."""
    import wtforms.widgets.core as core

    from webapp.widgets import WTFORMS_HTML_PARAMS, html_params, init_app

    class F(wtforms.Form):
        name = wtforms.StringField("Name & <title>", render_kw={"autocomplete": "off"})
        body = wtforms.TextAreaField("Body")
        size = wtforms.IntegerField("Size", validators=[wtforms.validators.NumberRange(min=1)])
        sure = wtforms.BooleanField("Sure")
        go = wtforms.SubmitField("Go")
        kind = SelectField("Kind", choices=[("a", "A & B")])

    from werkzeug.datastructures import MultiDict

    form = F(MultiDict({"name": 'x "y" <z>', "body": "<p>", "size": "3", "sure": "y"}))

    def render() -> list[str]:
        extra = {"aria-invalid": "true", "class_": "wide"}
        return [str(f(**extra)) + str(f.label(class_="l")) for f in form]

    init_app()
    fast = render()
    try:
        core.html_params = WTFORMS_HTML_PARAMS
        wtforms.widgets.html_params = WTFORMS_HTML_PARAMS  # type: ignore[attr-defined]
        core.Input.html_params = core.Button.html_params = staticmethod(WTFORMS_HTML_PARAMS)
        slow = render()
    finally:
        init_app()
    assert fast == slow
    assert core.Input.html_params is html_params

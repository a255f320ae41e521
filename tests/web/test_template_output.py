"""Template output through ``webapp.templating``: the same text as Jinja's own
autoescaped output (markupsafe's ``escape``), character for character."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.templating import Environment
from markupsafe import Markup, escape

from webapp.templating import OutputEnvironment, output_text


class Html:
    def __html__(self) -> str:
        return "<b>kept</b>"


VALUES = [
    "",
    "plain",
    "<script>alert('x') & \"y\"</script>",
    Markup("<em>safe</em> &amp; sound"),
    Markup("<a href='%s'>x</a>") % '"><script>',
    Html(),
    0,
    -12.5,
    Decimal("8000000.00"),
    None,
    True,
    ["<li>", 1],
    {"k": "<v>"},
    "NUL\x00byte and ünïcødé ✓",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_output_text_is_markupsafe_escape(value):
    assert output_text(value) == str(escape(value))
    assert type(output_text(value)) is str


TEMPLATE = """
{%- macro box(title) -%}
<div title="{{ title }}">{{ caller() if caller else '' }}{{ title }}</div>
{%- endmacro -%}
{%- set block %}<p>{{ value }}</p>{% endset -%}
{{ value }}|{{ value|e }}|{{ value ~ '<&>' }}|{{ block }}|{{ block|length }}|
{{ box(value) }}|{% call box('<c>') %}{{ value }}{% endcall %}|
{{ '<lit>' }}|{{ safe }}|{{ safe ~ value }}|{{ [value, safe] }}|{{ value|upper }}|
{% autoescape false %}{{ value }}{% endautoescape %}|
{% for v in [value, safe, 3] %}{{ v }}{% endfor %}|
{{ value if value else 'none' }}|{{ "%s!"|format(value) }}|{{ value|safe }}
"""


def _environment(cls: type[Environment]) -> Environment:
    app = Flask(__name__)
    return cls(app, autoescape=True)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_templates_render_as_with_jinja_own_output(value):
    ours = _environment(OutputEnvironment).from_string(TEMPLATE)
    theirs = _environment(Environment).from_string(TEMPLATE)
    context = {"value": value, "safe": Markup("<i>ok</i>")}
    assert ours.render(context) == theirs.render(context)


def test_the_app_compiles_its_templates_with_it(app):
    assert isinstance(app.jinja_env, OutputEnvironment)
    code = app.jinja_env.compile("{{ x }}", raw=True)
    assert "output_text(" in code and "escape(" not in code
    page = app.jinja_env.from_string("<p>{{ x }}</p>").render(x="<script>")
    assert page == "<p>&lt;script&gt;</p>"


def test_every_template_compiles_before_the_first_request(app, monkeypatch):
    """What gunicorn.conf.py's post_worker_init does in each worker: afterwards no page
    reads or compiles a template."""
    from webapp.templating import compile_all

    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    app.jinja_env.auto_reload = False  # as in production
    assert compile_all(app) == len(names) > 50

    def read_again(*_args):
        raise AssertionError("a template was read after compile_all")

    monkeypatch.setattr(app.jinja_env.loader, "get_source", read_again)
    for name in names:
        app.jinja_env.get_template(name)


def test_topic_badge_names_every_state_in_words():
    from models.topics import TOPIC_STATES
    from services.topics.lifecycle import STATE_LABELS
    from webapp.filters import topic_badge

    for state in TOPIC_STATES:
        kind = {"published": "ok", "stage1_open": "ok", "stage2": "ok", "approved": "ok",
                "rejected": "err", "withdrawn": "err"}.get(state, "")  # fmt: skip
        assert topic_badge(state) == f'<span class="badge {kind}">{STATE_LABELS[state]}</span>'
    assert topic_badge("<odd>") == '<span class="badge ">&lt;odd&gt;</span>'

"""Jinja's autoescaped output in one call per ``{{ ... }}``.

Jinja compiles every ``{{ value }}`` of an autoescaped template to markupsafe's
``escape(value)``, which wraps the escaped text in ``Markup``: five Python calls for a
plain string (``escape``, the escaping, ``Markup.__new__``, its ``hasattr`` and
``str.__new__``), about a tenth of a row-heavy page, only for a wrapper that the
template's ``"".join`` drops at once. The code generator here writes ``output_text(value)``
instead: the same text (markupsafe's five entities, ``__html__`` of markup kept as it is,
checked by tests/web/test_template_output.py), as a plain string. Where Jinja keeps
rendered text as a value (``{% set %}`` blocks, macros, ``caller()``), it wraps the joined
text in ``Markup`` itself, as before: nothing escaped is ever escaped twice or lost.
Hand-written because Jinja has no setting for it: the code generator is its documented
extension point (``Environment.code_generator_class``).
"""

from __future__ import annotations

from typing import Any

from flask.templating import Environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr, Template

# markupsafe's entities (``escape``): & < > " ' as &amp; &lt; &gt; &#34; &#39;
ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def output_text(value: Any) -> str:
    """``str(markupsafe.escape(value))``: text escaped, markup as it is."""
    if type(value) is str:
        return value.translate(ENTITIES)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return str(value).translate(ENTITIES)


class _OutputCodeGenerator(CodeGenerator):
    def visit_Template(self, node: Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # Module level, after the functions that use it and before any of them runs.
        self.writeline("from webapp.templating import output_text")

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("output_text(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:  # ``{% autoescape %}`` blocks decided at run time, unescaped templates
            super()._output_child_pre(node, frame, finalize)


class OutputEnvironment(Environment):
    """Flask's template environment, compiling output to :func:`output_text`."""

    code_generator_class = _OutputCodeGenerator


def compile_all(app: Any) -> int:
    """Compile every template of ``app`` now (Jinja keeps them): a gunicorn worker does it
    before its first request (gunicorn.conf.py), which otherwise paid 20-80 ms per page
    for it, once in each worker. The number of templates."""
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)

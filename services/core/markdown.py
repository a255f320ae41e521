"""Markdown for long texts, rendered safely: CommonMark without raw HTML, then sanitised."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Only link schemes a reader can follow safely; everything else (javascript:, data:...) goes.
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def render(text: str | None) -> Markup:
    """HTML for ``text``: raw HTML is escaped by the parser and nh3 removes anything unsafe."""
    return _render(text or "")


# The HTML depends on the text alone (no viewer, no settings), and a page shows the same
# texts on every request (a topic's four sections, its comments): render each once.
@lru_cache(maxsize=512)
def _render(text: str) -> Markup:
    html = _parser().render(text)
    clean = nh3.clean(html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704  # nosec B704 # - sanitised by nh3 just above

"""Links to many objects of one kind at the cost of one ``url_for``.

A list page that links each row through ``url_for`` pays Flask's URL building per row
(about 30 Python calls, 20-40 µs): 60 rows cost more than the page's queries. ``id_url``
builds the URL once with a marker id and returns a function that puts each row's id in
its place: the same URL as ``url_for`` would give, for one string format per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request, url_for

from webapp.routing import ID_MAX

_MARK = str(ID_MAX)  # a valid id (the converter's maximum), found once in the URL


def id_url(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """``id_url('topics.detail', 'topic_id')(7) == url_for('topics.detail', topic_id=7)``."""
    url = url_for(endpoint, **{key: ID_MAX, **values})
    if url.count(_MARK) != 1:  # another value holds the marker: build each URL in full
        return lambda id_: url_for(endpoint, **{key: id_, **values})
    head, _, tail = url.partition(_MARK)
    return lambda id_: f"{head}{int(id_)}{tail}"


def constant_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` for a link that is the same on every page (the
    header's links, the menu, the static files): built once per script root and kept. The
    header of every page held about 15 of them (some 500 Python calls a page)."""
    kept: dict[tuple[Any, ...], str] = current_app.extensions["partnering.constant_urls"]
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = kept.get(key)
    if url is None:
        url = kept[key] = url_for(endpoint, **values)
    return url


def link_url(endpoint: str, args: dict[str, Any], anchor: str = "") -> str:
    """``url_for(endpoint, **args) + anchor``; a link naming one object by its id (a work
    queue's items: a topic, a pledge) reuses one ``id_url`` per endpoint and request."""
    if len(args) == 1:
        ((key, value),) = args.items()
        if type(value) is int:
            builders: dict[tuple[str, str], Callable[[int], str]] = g.setdefault("_id_urls", {})
            build = builders.get((endpoint, key))
            if build is None:
                build = builders[(endpoint, key)] = id_url(endpoint, key)
            return build(value) + anchor
    return url_for(endpoint, **args) + anchor


def init_app(app: Flask) -> None:
    app.extensions["partnering.constant_urls"] = {}
    app.add_template_global(id_url)
    app.add_template_global(link_url)
    app.add_template_global(constant_url)

"""One guard for text at the edge, before any view runs.

PostgreSQL ``text`` cannot hold a NUL byte (psycopg raises, the request was a 500), and a
lone surrogate ("\\ud800", which Python's JSON decoder accepts) cannot be encoded. Both are
refused here for the path, the headers we read, the query string, form fields and JSON
bodies: 400 (422 for a form, like any other invalid form input) with a message naming where
the character was. JSON bodies are also bounded in nesting depth (Python's decoder recurses
and a few KB of brackets exhausted the stack). The app's JSON provider does the JSON checks,
so ``request.get_json()`` anywhere applies them; ``check_request`` calls it once for every
JSON body so that webargs (which decodes the body itself) only ever sees checked JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException

MAX_JSON_DEPTH = 32
# The request headers the product reads (session protection hashes User-Agent; the API reads
# Authorization; ProxyFix reads the X-Forwarded-* ones; logging reads X-Request-ID).
READ_HEADERS = (
    "Authorization",
    "User-Agent",
    "Accept",
    "Content-Type",
    "HX-Request",
    "X-CSRFToken",
    "X-Request-ID",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Forwarded-Port",
    "X-Forwarded-Prefix",
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class UnprocessableForm(HTTPException):
    code = 422
    description = "The form could not be processed."


def bad_character(value: str) -> str | None:
    """What is wrong with ``value`` as text (None: nothing)."""
    if "\x00" in value:
        return "a NUL byte"
    if _SURROGATE.search(value):
        return "an invalid character (an unpaired UTF-16 surrogate)"
    return None


def _message(where: str, what: str) -> str:
    return (
        f"The {where} contains {what}, which text here cannot hold. "
        "Remove it and send again; nothing was saved."
    )


def _check_pairs(pairs: Any, kind: str) -> tuple[str, str] | None:
    for key, value in pairs:
        for text in (key, value):
            what = bad_character(text) if isinstance(text, str) else None
            if what:
                return f"{kind} “{bad_key(key)}”", what
    return None


def bad_key(key: str) -> str:
    """A field name safe to repeat in a message."""
    return _SURROGATE.sub("?", key.replace("\x00", "\\0"))[:80]


def _json_depth(text: str) -> int:
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_json_value(value: Any, path: str = "body") -> tuple[str, str] | None:
    if isinstance(value, str):
        what = bad_character(value)
        return (f"JSON value at {path}", what) if what else None
    if isinstance(value, dict):
        for key, item in value.items():
            what = bad_character(key)
            if what:
                return f"JSON key “{bad_key(key)}” at {path}", what
            found = _check_json_value(item, f"{path}.{bad_key(key)}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _check_json_value(item, f"{path}[{i}]")
            if found:
                return found
    return None


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing deep nesting, NUL bytes and lone surrogates (400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8") if isinstance(s, bytes | bytearray) else s
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise BadRequest(
                f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; "
                "nothing was saved."
            )
        value = json.loads(text, **kwargs)
        found = _check_json_value(value)
        if found:
            raise BadRequest(_message(*found))
        return value


def check_request() -> None:
    """Refuse the request if any text we read holds a character text cannot hold."""
    headers = [(name, request.headers.get(name, "")) for name in READ_HEADERS]
    args = list(request.args.items(multi=True))
    # One scan of everything for the common case (nothing wrong); the field-by-field
    # check below only runs to name what is wrong.
    if bad_character("\n".join([request.path, *(k + "\n" + v for k, v in headers + args)])):
        what = bad_character(request.path)
        if what:
            raise BadRequest(_message("address", what))
        found = _check_pairs(headers, "header") or _check_pairs(args, "query parameter")
        if found:
            raise BadRequest(_message(*found))
    if request.mimetype in FORM_TYPES:
        found = _check_pairs(request.form.items(multi=True), "field") or _check_pairs(
            ((name, f.filename or "") for name, f in request.files.items(multi=True)),
            "file name of",
        )
        if found:
            raise UnprocessableForm(_message(*found))
    elif request.is_json and request.get_data(cache=True):
        request.get_json()  # the provider's checks; a malformed body is a 400 too


def init_app(app: Flask) -> None:
    """Install the JSON provider and the check; call before any other before_request."""
    app.json = GuardedJSONProvider(app)
    app.before_request(check_request)

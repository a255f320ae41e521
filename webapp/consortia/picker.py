"""The search step of the match-request form (works without JavaScript).

The form's "Search" button, and the "Require" / "Exclude" buttons of each organisation
found, send the whole form back: the page is shown again with the values kept, the
organisation added to its list, and nothing requested. Chosen organisations are
checkboxes named ``must_include`` / ``exclude``: unticking one removes it on the next send.
"""

from __future__ import annotations

from typing import Any

from flask import request

from services.consortia import picker
from webapp.consortia.forms import RequestForm
from webapp.database import db

LISTS = ("must_include", "exclude")
PICKS = {"require": ("must_include", "exclude"), "exclude_org": ("exclude", "must_include")}


def is_search_step() -> bool:
    """A search or a pick, not the request itself."""
    return request.method == "POST" and any(k in request.form for k in ("find", *PICKS))


def apply_pick(form: RequestForm) -> None:
    """Add the organisation of a Require / Exclude button to its list (off the other one)."""
    for button, (into, out_of) in PICKS.items():
        value = (request.form.get(button) or "").strip()
        if value:
            if value not in form[into].data:
                form[into].data = [*form[into].data, value]
            form[out_of].data = [v for v in form[out_of].data if v != value]


def context(form: RequestForm) -> dict[str, Any]:
    """What the template shows: the chosen organisations by name, and those found."""
    return {
        "chosen": {name: picker.chosen(db(), form[name].data or ()) for name in LISTS},
        "found": picker.find(db(), form.org_q.data) if is_search_step() else [],
        "searched": is_search_step() and bool((form.org_q.data or "").strip()),
    }

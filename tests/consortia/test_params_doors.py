"""One declaration of the match parameters behind three doors: the web form, the JSON API
and `partnering suggest`. The same bad inputs are refused by each, with errors on the same
fields; a bound changed in the declaration changes what all three accept."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from sqlalchemy import func, select

import models
from services.accounts import api_tokens
from services.consortia import params
from services.core.context import RequestContext
from tests.conftest import PASSWORD
from tests.consortia.test_cli import VALID, _suggest
from tests.support import csrf_from, login

FORM_BASE = {
    "size": "6", "min_countries": "4", "min_sme_share": "0.2", "sector_mode": "hard",
    "industry_partners": "exclude", "alternates": "20", "seats_academia": "2",
}  # fmt: skip

# (inputs, the fields that must be named in the errors)
BAD = [
    ({"size": 0}, {"size"}),
    ({"size": 201, "alternates": 501}, {"size", "alternates"}),
    ({"min_countries": 51}, {"min_countries"}),
    ({"alternates": -1}, {"alternates"}),
    ({"sector_counts": {"academia": 201}}, {"sector_counts"}),
    ({"size": 4, "sector_counts": {"academia": 5}}, {"sector_counts"}),
    ({"interest": "love", "interest_bonus": 2}, {"interest", "interest_bonus"}),
]


def _form_errors(client: Any, topic_id: int, inputs: dict[str, Any]) -> set[str]:
    """Post the form; the field names beside which errors show (seats count as sector_counts)."""
    url = f"/consortia/new?topic_id={topic_id}"
    data = dict(FORM_BASE, csrf_token=csrf_from(client.get(url).get_data(as_text=True)))
    for key, value in inputs.items():
        if key == "sector_counts":
            data.update({f"seats_{sector}": str(n) for sector, n in value.items()})
        else:
            data[key] = str(value)
    r = client.post(url, data=data)
    assert r.status_code == 422  # shown again with its errors, not redirected to a new request
    html = r.get_data(as_text=True)
    beside = re.findall(r'id="(\w+)-err"', html)
    names = {re.sub(r"^seats_\w+$", "sector_counts", name) for name in beside}
    if "The sector seats add up to" in html:  # a rule over all seats: at the top of the form
        names.add("sector_counts")
    return names


def _api_errors(client: Any, topic_id: int, token: str, inputs: dict[str, Any]) -> set[str]:
    r = client.post(
        f"/api/v1/topics/{topic_id}/match-requests",
        headers={"Authorization": f"Bearer {token}"},
        json=inputs,
    )
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    return set(r.get_json()["errors"])


def _cli_errors(app: Any, tmp_path: Any, inputs: dict[str, Any]) -> set[str]:
    result = _suggest(app, tmp_path, dict(VALID, **inputs))
    assert result.exit_code == 2 and result.stdout == ""
    return {name for name in params.PARAMS if f"{name}: " in result.stderr}


@pytest.fixture
def doors(app, client, db, pool, make_user, tmp_path):
    coord = make_user("coordinator")
    _token, raw = api_tokens.create_token(db, RequestContext(coord), name="doors", scope="write")
    db.commit()
    login(client, coord.email, PASSWORD)
    topic_id = pool["topic"].id
    return {
        "form": lambda inputs: _form_errors(client, topic_id, inputs),
        "api": lambda inputs: _api_errors(client, topic_id, raw, inputs),
        "cli": lambda inputs: _cli_errors(app, tmp_path, inputs),
    }


@pytest.mark.parametrize("door", ["form", "api", "cli"])
@pytest.mark.parametrize("inputs, fields", BAD)
def test_the_three_doors_refuse_alike(doors, db, door, inputs, fields):
    assert doors[door](inputs) == fields
    db.rollback()
    assert db.scalar(select(func.count()).select_from(models.MatchRequest)) == 0


@pytest.mark.parametrize("door", ["form", "api", "cli"])
def test_a_bound_changed_in_the_declaration_moves_every_door(doors, monkeypatch, door):
    assert params.SIZE.hi == 200  # size 6 is accepted today (tests of each door)
    monkeypatch.setitem(params.PARAMS, "size", dataclasses.replace(params.SIZE, hi=5))
    assert doors[door]({"size": 6}) == {"size"}
    seats = dataclasses.replace(params.SECTOR_COUNTS, hi=1)
    monkeypatch.setitem(params.PARAMS, "sector_counts", seats)
    assert doors[door]({"size": 5, "sector_counts": {"academia": 2}}) == {"sector_counts"}


def test_form_shows_the_declared_limits_and_labels(client, pool, make_user):
    login(client, make_user("coordinator").email, PASSWORD)
    html = client.get(f"/consortia/new?topic_id={pool['topic'].id}").get_data(as_text=True)
    for param in (params.SIZE, params.MIN_COUNTRIES, params.ALTERNATES, params.CAPACITY):
        assert f'max="{param.hi}" min="{param.lo}" name="{param.name}"' in html
        assert f">{param.label}</label>" in html.replace("&#39;", "'")


def test_openapi_documents_the_declared_bounds(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = spec["components"]["schemas"]["MatchParams"]["properties"]
    assert set(documented) == set(params.PARAMS)
    for param in params.PARAMS.values():
        prop = documented[param.name]
        if param.kind == "whole":
            assert (prop["minimum"], prop["maximum"]) == (param.lo, param.hi)
        elif param.kind == "choice":
            assert prop["enum"] == list(param.values)
        elif param.kind == "organisations":
            assert prop["maxItems"] == param.max_items
            assert prop["items"]["maximum"] == param.hi
        elif param.kind == "seats":
            assert prop["additionalProperties"]["maximum"] == param.hi
    assert documented["capacity"]["description"] == params.CAPACITY.help

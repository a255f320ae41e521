"""Fixtures: small synthetic indexes (see matching_synth)."""

from __future__ import annotations

import pytest

from matching.index import build_index
from matching.types import TopicQuery
from tests.unit.matching.matching_synth import make_data


@pytest.fixture(scope="session")
def data():
    return make_data()


@pytest.fixture(scope="session")
def index(data):
    projects, parts, candidates = data
    return build_index(projects, parts, candidates)


@pytest.fixture
def query():
    return TopicQuery(
        title="Diabetes and beta cells",
        text="insulin glucose pancreas beta cells in type 1 diabetes",
        keywords=["diabetes"],
    )

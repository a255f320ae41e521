from __future__ import annotations

from typing import Any

import pytest

from services.accounts import api_tokens
from services.core.context import RequestContext


@pytest.fixture
def token_for(db) -> Any:
    """A raw API token for ``user`` with ``scope`` (committed)."""

    def _make(user, scope: str = "read") -> str:
        _token, raw = api_tokens.create_token(
            db, RequestContext(db.merge(user)), name="test", scope=scope
        )
        db.commit()
        return raw

    return _make


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


from tests.consortia.conftest import pool  # noqa: E402, F401  (a small index for matching)

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from flask_login import current_user

from models import User
from services.core.markdown import render

bp = Blueprint("topics", __name__)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Any:
    return render(text)


def me() -> User | None:
    """The signed-in user, or None for a visitor."""
    return current_user if current_user.is_authenticated else None


def nothing_changes() -> None:
    """Roll the request back even though the answer is a redirect (a refused action)."""
    g.rollback_only = True

from __future__ import annotations

from typing import Any

from flask import Blueprint
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

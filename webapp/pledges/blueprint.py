from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from webapp.pledges.charts import bar_chart, donut_chart

bp = Blueprint("pledges", __name__, url_prefix="/pledges")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every pledge and funding page needs a signed-in user; objects are checked per view."""


# Available to every template, so the topic page can include pledges/_topic_funding.html.
bp.add_app_template_global(bar_chart, "funding_bar_chart")
bp.add_app_template_global(donut_chart, "funding_donut_chart")

"""Admin: programme settings (the rules a programme sets), with their change history."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from services.core.errors import ServiceError
from services.programmes import settings as rules
from services.topics import calls as call_service
from webapp.admin.forms import ProgrammeRulesForm
from webapp.admin.views import bp
from webapp.database import db
from webapp.helpers import context
from webapp.refusals import refuse_form, render_form


@bp.route("/programmes", endpoint="programmes")
def programmes_view() -> str:
    return render_template("admin/programmes.html", programmes=call_service.programmes(db()))


@bp.route("/programmes/<int:programme_id>/settings", methods=["GET", "POST"])
def programme_settings(programme_id: int) -> tuple[str, int] | Response:
    programme = rules.get_programme(db(), current_user, programme_id)
    form = ProgrammeRulesForm()
    if not form.is_submitted():
        form.process(data=vars(rules.RulesInput.of(programme)))
    elif form.validate():
        data = rules.RulesInput(**{name: form[name].data or "" for name in rules.FIELDS})
        try:
            changed = rules.update_rules(db(), context(), programme_id, data)
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            names = ", ".join(rules.LABELS[n] for n in changed) or "nothing changed"
            flash(f"Saved the settings of {programme.code}: {names}.", "success")
            return redirect(url_for("admin.programme_settings", programme_id=programme_id))
    return render_form(
        "admin/programme_settings.html",
        programme=programme,
        form=form,
        history=rules.history(db(), current_user, programme),
    )

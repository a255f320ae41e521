from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from services.topics import content as topics
from services.topics import revision_diff
from services.topics import revisions as topic_revisions
from webapp.database import db
from webapp.topics.blueprint import bp, me
from webapp.topics.forms import optional_int


@bp.route("/topics/<int:topic_id>/revisions")
@login_required
def revisions(topic_id: int) -> str:
    topic = topics.get_topic_heading(db(), me(), topic_id)
    shown = topic_revisions.revision_rows(db(), topic)
    return render_template(
        "topics/revisions.html",
        topic=topic,
        revisions=shown,
        authors=topic_revisions.revision_authors(db(), me(), shown),
    )


@bp.route("/topics/<int:topic_id>/diff")
@login_required
def diff(topic_id: int) -> str:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    all_revisions = topic_revisions.revisions(session, topic)
    newest = all_revisions[0].number if all_revisions else 1
    a = optional_int(request.args.get("a")) or max(1, newest - 1)
    b = optional_int(request.args.get("b")) or newest
    old, new = (
        topic_revisions.get_revision(session, topic, a),
        topic_revisions.get_revision(session, topic, b),
    )
    return render_template(
        "topics/diff.html",
        topic=topic,
        old=old,
        new=new,
        diffs=revision_diff.diff(session, old, new),
        revisions=all_revisions,
    )

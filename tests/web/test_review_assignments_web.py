"""The reviewer picker and assignment through the web, CSRF on: only programme reviewers,
conflicts shown before assignment, a refusal answers 409/422 with the page and its reason
and changes nothing, an override needs a reason, deadlines are seen and moved."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

import models
from services.topics import review_assignments as assignments
from tests.conftest import PASSWORD
from tests.support import csrf_from, login
from tests.topic_support import make_topic, person


def _signed_in(app, user):
    client = app.test_client()
    login(client, user.email, PASSWORD)
    return client


def _reviews(db) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(models.TopicReview))


def test_picker_refusal_override_and_deadline(app, db, world, make_user):
    coordinator = make_user("coordinator")
    topic = make_topic(db, world, "consultation")
    rep = person(db, world, reviewer=True, email="rita.rep@example.org", org=world["pharma"])
    free = make_user(email="frank.free@example.org")
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=free.id))
    applicant = person(db, world, email="rita.applicant@example.org", org=world["uni"],
                       org_role="applicant")  # fmt: skip
    member = make_user(sgg_id=world["sgg_a"].id)
    boss = _signed_in(app, coordinator)
    url = f"/topics/{topic.id}/reviewers"

    page = boss.get(url).get_data(as_text=True)
    assert "rita.rep@example.org" in page and "frank.free@example.org" in page
    assert applicant.email not in page and coordinator.email not in page
    shown = "Partner representative of Pharma One AG, in this topic&#39;s industry consortium."
    assert shown in page
    found = boss.get(f"{url}?q=rita", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert found.startswith('<section id="candidates"') and "<html" not in found
    assert "rita.rep@example.org" in found and "frank.free@example.org" not in found

    form = {"csrf_token": csrf_from(page), "reviewer_id": rep.id}
    assert boss.post(url, data={"reviewer_id": rep.id}).status_code == 400  # no CSRF token
    refused = boss.post(url, data=form)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "was not assigned: a conflict of interest" in text and "Pharma One AG" in text
    assert "<h1>Assign a reviewer</h1>" in text  # the page it came from
    past = (assignments.local_today(topic) - timedelta(days=1)).isoformat()
    bad_date = boss.post(url, data={**form, "due_date": past, "override_reason": "x"})
    assert bad_date.status_code == 422
    assert "must be in the future" in bad_date.get_data(as_text=True)
    huge = boss.post(url, data={**form, "reviewer_id": "99999999999999999999"})
    assert huge.status_code == 422  # an id no database holds: refused, not a 500
    assert _reviews(db) == 0

    due = assignments.local_today(topic) + timedelta(days=9)
    reason = "Only expert available; the SGG agreed."
    ok = boss.post(url, data={**form, "due_date": due.isoformat(), "override_reason": reason})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/topics/{topic.id}#review")
    assert _reviews(db) == 1
    detail = boss.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "Assigned despite a conflict" in detail and reason in detail
    assert f"asked {rep.name} to review, due {due:%d %b %Y}" in detail
    assert f"Reason given: {reason}" in detail

    review_id = db.scalars(select(models.TopicReview.id)).one()
    db.rollback()
    moved = f"/topics/{topic.id}/reviews/{review_id}/deadline"
    token = csrf_from(detail)
    bad = boss.post(moved, data={"csrf_token": token, "due_date": "31/12/2026"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    later = due + timedelta(days=5)
    moving = boss.post(moved, data={"csrf_token": token, "due_date": later.isoformat()})
    assert moving.status_code == 302
    detail = boss.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert f"from {due:%d %b %Y} to {later:%d %b %Y}" in detail

    # The SGG does not learn who reviews, nor the override.
    member = _signed_in(app, member)
    theirs = member.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert reason not in theirs and rep.name not in theirs
    assert member.get(url).status_code == 403
    # A reviewer without a conflict: assigned with the default deadline, sees the request.
    page = boss.get(url).get_data(as_text=True)
    assert "No conflict found" in page
    form = {"csrf_token": csrf_from(page), "reviewer_id": free.id, "due_date": ""}
    assert boss.post(url, data=form).status_code == 302
    mine = _signed_in(app, free)
    assert mine.get(url).status_code == 403
    default = assignments.local_today(topic) + timedelta(days=14)
    theirs = mine.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert f"You are asked to review this topic by <strong>{default:%d %b %Y} 23:59" in theirs

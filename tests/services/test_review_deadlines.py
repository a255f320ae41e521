"""Review deadline reminders: each step once, with a real notification row, only for steps
still ahead when the deadline was set; an overdue notice once; a new deadline starts over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import models
from services.core.context import RequestContext
from services.topics import review_assignments as assignments
from services.topics import review_deadlines
from tests.topic_support import make_topic, person


def _told(db, event: str) -> list[tuple[int | None, str]]:
    db.rollback()
    rows = db.scalars(
        select(models.OutboxMessage)
        .where(models.OutboxMessage.event == event, models.OutboxMessage.channel == "inbox")
        .order_by(models.OutboxMessage.id)
    )
    return [(m.recipient_id, m.subject) for m in rows]


def _run(db, settings, at: datetime) -> dict[str, int]:
    counts = review_deadlines.send_due(db, settings, now=at)
    db.commit()
    return counts


def test_each_reminder_step_is_sent_once_then_the_overdue_notice(db, world, settings):
    coordinator = person(db, world, role="coordinator")
    topic = make_topic(db, world, "consultation", title="Adjuvants")
    reviewer = person(db, world, reviewer=True)
    review = assignments.assign_reviewer(db, RequestContext(coordinator), topic, reviewer.id)
    db.commit()
    due = review.due_at
    assert _run(db, settings, datetime.now(UTC)) == {"reminded": 0, "overdue": 0}

    three = due - timedelta(days=3) + timedelta(minutes=1)
    assert _run(db, settings, three) == {"reminded": 1, "overdue": 0}
    assert _run(db, settings, three + timedelta(hours=1)) == {"reminded": 0, "overdue": 0}
    assert _told(db, review_deadlines.REMINDER) == [
        (reviewer.id, "Review due in 3 days: Adjuvants")
    ]
    email = db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.event == review_deadlines.REMINDER,
            models.OutboxMessage.channel == "email",
        )
    ).one()
    assert "First declare any conflict of interest" in email.body_text
    assert f"/topics/{topic.id}#review" in email.body_text

    one = due - timedelta(hours=23)
    assert _run(db, settings, one) == {"reminded": 1, "overdue": 0}
    assert _run(db, settings, one) == {"reminded": 0, "overdue": 0}
    assert [s for _, s in _told(db, review_deadlines.REMINDER)][-1] == (
        "Review due in 1 day: Adjuvants"
    )
    late = due + timedelta(minutes=5)
    assert _run(db, settings, late) == {"reminded": 0, "overdue": 1}
    assert _run(db, settings, late + timedelta(days=2)) == {"reminded": 0, "overdue": 0}
    assert {r for r, _ in _told(db, review_deadlines.OVERDUE)} == {reviewer.id, coordinator.id}
    assert len(_told(db, review_deadlines.REMINDER)) == 2

    # A new deadline has steps of its own.
    new_day = assignments.local_today(topic) + timedelta(days=20)
    assignments.change_deadline(db, RequestContext(coordinator), topic, review.id, new_day)
    db.commit()
    db.refresh(review)
    assert _run(db, settings, review.due_at - timedelta(days=2)) == {"reminded": 1, "overdue": 0}
    assert len(_told(db, review_deadlines.REMINDER)) == 3


def test_steps_behind_at_assignment_and_finished_reviews_get_nothing(db, world, settings):
    boss = RequestContext(person(db, world, role="coordinator"))
    topic = make_topic(db, world, "consultation")
    soon, done = person(db, world, reviewer=True), person(db, world, reviewer=True)
    day_after = assignments.local_today(topic) + timedelta(days=2)
    quick = assignments.assign_reviewer(db, boss, topic, soon.id, day_after)
    finished = assignments.assign_reviewer(db, boss, topic, done.id, day_after)
    finished.submitted_at = datetime.now(UTC)
    db.commit()
    # 2 days ahead: the 3-day step was already behind when the deadline was set.
    assert _run(db, settings, datetime.now(UTC) + timedelta(minutes=1)) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert _run(db, settings, quick.due_at - timedelta(hours=2)) == {"reminded": 1, "overdue": 0}
    assert _told(db, review_deadlines.REMINDER)[0][0] == soon.id
    assert review_deadlines.due_step(quick.due_at, quick.due_set_at, quick.due_at, [3, 1]) == 0


def test_the_periodic_job_runs_through_the_task_runtime(db, world, runtime, settings):
    from workers.schedule import periodic_jobs

    task = "workers.review_tasks.review_deadlines"
    assert task in {j.task for j in periodic_jobs(settings)}
    topic = make_topic(db, world, "consultation")
    reviewer = person(db, world, reviewer=True)
    review = assignments.assign_reviewer(
        db, RequestContext(person(db, world, role="coordinator")), topic, reviewer.id
    )
    now = datetime.now(UTC)
    review.due_at, review.due_set_at = now + timedelta(hours=12), now - timedelta(days=5)
    db.commit()
    runtime.dispatcher.dispatch(task)
    runtime.dispatcher.wait_idle()
    assert [r for r, _ in _told(db, review_deadlines.REMINDER)] == [reviewer.id]

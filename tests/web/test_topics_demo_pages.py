"""Every topic and call page of the demo renders for each demo account (no 500s, no leaks)."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Call, Topic, TopicComment, TopicReview, TopicRevision, TopicTransition, User
from services import policies
from services.demo import load as demo
from tests.support import login


def test_demo_topics_have_history_and_every_page_renders(app, db):
    assert demo.load(db)
    db.commit()
    for model in (TopicTransition, TopicRevision, TopicReview, TopicComment):
        assert db.scalar(select(func.count()).select_from(model)) > 0, model
    topics = list(db.scalars(select(Topic)))
    call = db.scalars(select(Call)).first()
    for email in (
        "coordinator@demo.partnering",
        "partner@demo.partnering",
        "viewer@demo.partnering",
        "reviewer@demo.partnering",
        "sgg.infect@demo.partnering",
    ):
        client = app.test_client()
        login(client, email, demo.DEMO_PASSWORD)
        user = db.scalars(select(User).where(User.email == email)).one()
        for path in (
            "/topics/",
            "/calls/",
            f"/calls/{call.id}",
            "/topics/export.xlsx",
            "/topics/?sort=budget&q=the",
        ):
            assert client.get(path).status_code == 200, (email, path)
        for topic in topics:
            expected = 200 if policies.can_view_topic(user, topic) else 404
            for suffix in ("", "/revisions", "/diff?a=1&b=1"):
                response = client.get(f"/topics/{topic.id}{suffix}")
                assert response.status_code == expected, (email, topic.status, suffix)
            if policies.can_edit_topic(user, topic):
                assert client.get(f"/topics/{topic.id}/edit").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(f"/public/calls/{call.id}").status_code == 200
    for topic in topics:
        code = 200 if policies.is_public_topic(topic) else 404
        assert anonymous.get(f"/public/topics/{topic.id}").status_code == code

"""The dashboard page: each role's queues with counts, links to where the work is done,
empty queues in words, and nothing of what the viewer may not open."""

from __future__ import annotations

import re

import models
from tests.pledge_helpers import add_pledge
from tests.support import login
from tests.topic_support import make_topic

PASSWORD = "correct horse battery"


def test_coordinator_dashboard_links_each_item_to_its_page(client, db, world, make_user):
    make_user("coordinator", email="office@example.org")
    topic = make_topic(db, world, "screening", title="Antibiotics <platform>")
    pledges = [add_pledge(db, topic, world["pharma"], f"{n}000.00") for n in (1, 2, 3, 4)]
    login(client, "office@example.org", PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'Pledges to confirm <span class="badge warn">4 pledges</span>' in page
    assert "To screen <small>(1 topic)</small>" in page
    assert f'href="/topics/{topic.id}#moves-h">Antibiotics &lt;platform&gt;</a>' in page
    assert all(f'href="/pledges/{p.id}"' in page for p in pledges)
    assert "No partner application waits for a decision." in page
    assert "0 reviews" in page and "1 topics" not in page


def test_each_viewer_sees_only_their_own_queues(client, db, world, make_user):
    draft = make_topic(db, world, "drafting", title="Hidden draft", sgg=world["sgg_b"])
    db.query(models.TopicIndustryPartner).filter_by(topic_id=draft.id).delete()
    add_pledge(db, draft, world["pharma2"], "777777.77", status="draft")
    mine = make_topic(db, world, "idea", title="Our idea")
    make_user(email="sgg@example.org", sgg_id=world["sgg_a"].id)
    make_user(email="rep@example.org", org_id=world["pharma"].id)
    make_user(email="nobody@example.org")
    login(client, "sgg@example.org", PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/topics/{mine.id}"' in page and "Idea <small>(1 topic)</small>" in page
    assert "Hidden draft" not in page and "Pledges to confirm" not in page
    client.get("/auth/logout")
    rep = client.application.test_client()
    login(rep, "rep@example.org", PASSWORD)
    page = rep.get("/dashboard").get_data(as_text=True)
    assert "Your organisations have no pledges yet." in page
    assert not re.search(r"777,?777\.77|Hidden draft", page)
    nobody = client.application.test_client()
    login(nobody, "nobody@example.org", PASSWORD)
    page = nobody.get("/dashboard").get_data(as_text=True)
    assert "No work waits for you" in page

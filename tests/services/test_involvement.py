"""An organisation's involvement: the first lines of each kind in order, the number of
each kind, and only what the viewer may see of every related object."""

from __future__ import annotations

from services.organisations.involvement import involvement
from tests.pledge_helpers import add_pledge
from tests.topic_support import make_topic
from tests.worklist_support import invitation, match


def _busy_partner(db, world, make_user):
    """Pharma: industry partner of 4 published topics and an idea of SGG B, pledging to
    each; suggested and invited for a consortium of the first topic."""
    office = make_user("coordinator")
    published = [make_topic(db, world, "published", title=f"Topic {c}") for c in "DBCA"]
    idea = make_topic(db, world, "idea", title="Hidden idea", sgg=world["sgg_b"])
    for i, topic in enumerate([*published, idea]):
        add_pledge(db, topic, world["pharma"], f"{i + 1}.00", commit=False)
    req = match(db, published[0], office)
    invitation(db, req, world["pharma"])
    db.commit()
    return office, published, idea


def test_the_office_sees_every_line_in_order_and_the_counts(db, world, make_user):
    office = _busy_partner(db, world, make_user)[0]
    found = involvement(db, office, world["pharma"].id, shown=3)
    assert [t.title for t in found.industry_topics] == ["Hidden idea", "Topic A", "Topic B"]
    assert [p.amount for p in found.pledges] == [5, 4, 3]  # newest first
    assert found.pledges[0].title == "Hidden idea"
    assert [(s.kind, s.title) for s in found.suggestions] == [("suggestion", "Topic D")]
    assert [(i.kind, i.title) for i in found.invitations] == [("invitation", "Topic D")]
    assert found.counts == {"industry": 5, "pledge": 5, "suggestion": 1, "invitation": 1}
    assert found.more and found.any
    everything = involvement(db, office, world["pharma"].id)
    assert len(everything.industry_topics) == 5 and not everything.more


def test_an_sgg_member_sees_only_the_topics_and_pledges_it_may_open(db, world, make_user):
    _busy_partner(db, world, make_user)
    member = make_user(sgg_id=world["sgg_a"].id)
    found = involvement(db, member, world["pharma"].id, shown=10)
    assert "Hidden idea" not in [t.title for t in found.industry_topics]
    assert found.counts["industry"] == 4
    # Pledges are the programme office's and the partner's own business.
    assert found.pledges == [] and found.counts["pledge"] == 0


def test_the_partner_sees_its_pledges_but_not_the_title_of_a_hidden_topic(db, world, make_user):
    _busy_partner(db, world, make_user)
    rep = make_user(org_id=world["pharma"].id)
    found = involvement(db, rep, world["pharma"].id, shown=10)
    assert found.counts["pledge"] == 5
    titles = {p.amount: p.title for p in found.pledges}
    assert titles[5] is None and titles[1] == "Topic D"
    assert found.counts["invitation"] == 1  # its own organisation's invitation


def test_a_visitor_sees_nothing(db, world, make_user):
    _busy_partner(db, world, make_user)
    found = involvement(db, None, world["pharma"].id)
    assert not found.any and found.counts == dict.fromkeys(found.counts, 0)

"""The words pages show (statuses, roles, plurals) and who sees who pledged what on the
topic funding page."""

from __future__ import annotations

import re

from models import ProgrammeReviewer
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge, make_partner, make_topic
from tests.support import login

OPEN_CURES, RARE = ("100,000.01", "400,000.04"), ("200,000.02", "50,000.05")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _by_partner(html: str) -> str:
    """The "Pledges by partner" part of a funding section."""
    start = html.index("Pledges by partner")
    return html[start : html.index("</section>", start)]


def test_pledges_by_partner_show_each_viewer_only_what_they_may_open(client, db, world, make_user):
    topic = make_topic(db, world, status="published")
    open_cures = make_partner(db, world["programme"], name="Open Cures Foundation")
    rare = make_partner(db, world["programme"], name="Rare Disease Trust")
    # No single amount equals a total, so a total on the page never shows one of them.
    add_pledge(db, topic, open_cures, "100000.01", status="confirmed")
    add_pledge(db, topic, open_cures, "400000.04", kind="ikop")
    add_pledge(db, topic, rare, "200000.02", status="confirmed")
    add_pledge(db, topic, rare, "50000.05", kind="ikop")
    url = f"/pledges/funding/topics/{topic.id}"
    # The office sees every partner and every amount, with each partner's sums.
    coordinator = make_user("coordinator")
    login(client, coordinator.email, PASSWORD)
    office = _by_partner(_page(client, url))
    assert office.index("Open Cures Foundation") < office.index("Rare Disease Trust")
    for amount in OPEN_CURES + RARE + ("500,000.05", "250,000.07"):  # and each one's sum
        assert amount in office
    assert "Financial contribution (cash)" in office and "In-kind to operational" in office
    assert ">Confirmed<" in office and ">Submitted<" in office
    assert "shown only to the programme office" not in office
    # The topic page gives the totals and links to the funding page for who pledged what.
    topic_page = _page(client, f"/topics/{topic.id}")
    assert "Open Cures" not in topic_page and "500,000.05" not in topic_page
    assert f'4 pledges: by kind, by state and who pledged what on <a href="{url}">' in topic_page
    assert "Pledges by kind" not in topic_page and "Pledges by partner" not in topic_page
    assert "750,000.12" in topic_page  # pledged: submitted and confirmed
    client.post("/auth/logout", data={"csrf_token": _csrf(client)})

    # An SGG member of the topic sees the totals, not who pledged what.
    member = make_user(sgg_id=world["sgg_a"].id)
    login(client, member.email, PASSWORD)
    html = _page(client, url)
    part = _by_partner(html)
    assert "Open Cures" not in part and "Rare Disease" not in part
    assert not [a for a in OPEN_CURES + RARE if a in html]
    assert "shown only to the programme office and to each partner's representatives" in part
    # The topic page's funding section links to that page.
    topic_page = _page(client, f"/topics/{topic.id}")
    assert "Rare Disease" not in topic_page and f'href="{url}"' in topic_page
    client.post("/auth/logout", data={"csrf_token": _csrf(client)})

    # A member of the SGG who represents Open Cures sees Open Cures' pledges only.
    rep = make_user(sgg_id=world["sgg_a"].id, org_id=open_cures.id)
    login(client, rep.email, PASSWORD)
    html = _page(client, url)
    part = _by_partner(html)
    assert "Open Cures Foundation" in part and all(a in part for a in OPEN_CURES)
    assert "Rare Disease" not in part and not [a for a in RARE if a in html]
    assert "Other pledges are counted in the totals above" in part


def _csrf(client) -> str:
    html = _page(client, "/dashboard")
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_statuses_roles_and_plurals_in_words(client, db, world, make_user):
    topic = make_topic(db, world, status="stage1_open", title="Antimicrobial resistance")
    partner = make_partner(db, world["programme"])
    add_pledge(db, topic, partner, "1000.00")
    reviewer = make_user(email="rev@example.org")
    db.add(ProgrammeReviewer(programme_id=world["programme"].id, user_id=reviewer.id))
    db.commit()
    login(client, reviewer.email, PASSWORD)
    dashboard = _page(client, "/dashboard")
    assert "(Programme reviewer)" in dashboard and "Viewer" not in dashboard
    # "Inbox" once in the header: its own link, not a second time in the menu.
    header = dashboard[dashboard.index("<header") : dashboard.index("</header>")]
    assert header.count(">Inbox<") + header.count(">Inbox <") == 1
    client.post("/auth/logout", data={"csrf_token": _csrf(client)})

    coordinator = make_user("coordinator")
    login(client, coordinator.email, PASSWORD)
    assert "(Coordinator)" in _page(client, "/dashboard")
    programme = _page(client, f"/pledges/funding/programmes/{world['programme'].id}")
    assert "Stage 1 open" in programme and "stage1" not in programme
    assert "<caption>1 application</caption>" in _page(client, "/pledges/applications")
    screening = make_topic(db, world, status="screening", title="Screened")
    detail = _page(client, f"/topics/{screening.id}")
    assert "Send back to the SGG" in detail and "sgg</button>" not in detail
    topics = _page(client, "/topics/")
    assert re.search(r"<caption>2 topics</caption>", topics)

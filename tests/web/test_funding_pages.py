"""The funding pages on a programme with many pledges: totals summed in one pass over the
pledges, and every long list (the decision queue, the programme's topics, a partner's
pledges) shown a page at a time."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from services.organisations.involvement import INVOLVEMENT_SHOWN, PROFILE_SHOWN
from services.pledges import rules
from services.pledges.funding import SHOWN_PLEDGES, partner_funding, programme_funding
from tests.conftest import PASSWORD
from tests.pledge_helpers import add_pledge, make_partner, make_topic
from tests.support import login
from tests.web.test_page_queries import counted


@pytest.fixture
def office(client, make_user):
    login(client, make_user(role="coordinator").email, PASSWORD)
    return client


def _rows(html: str, section: str) -> list[str]:
    """The links of the table under the heading that starts with ``section``."""
    part = html[html.index(f"<h2>{section}") :]
    part = part[: part.index("</table>")]
    return re.findall(r'<a href="([^"]+)">', part)


def test_programme_totals_and_shares_are_one_statement(db, world):
    topic = make_topic(db, world, status="published")
    partner = make_partner(db, world["programme"])
    pharma = world["pharma"]
    add_pledge(db, topic, pharma, "600.00", kind="ikop", status="confirmed",
               eu_match=Decimal("600.00"), third_country_costs=Decimal("60.00"))  # fmt: skip
    add_pledge(db, topic, pharma, "200.00", kind="ikaa", status="confirmed")
    add_pledge(db, topic, partner, "300.00", kind="fc", status="confirmed",
               eu_match=Decimal("300.00"), from_envelope=True)  # fmt: skip
    add_pledge(db, topic, partner, "50.00", kind="fc", status="submitted")
    add_pledge(db, topic, partner, "9.00", kind="fc", status="draft")
    with counted(db.get_bind()) as statements:
        overview = programme_funding(db, world["programme"])
    # One pass over the pledges (and the programme's sums token, renewed by the pledges).
    sums = [s for s in statements if s.startswith("SELECT") and "FROM pledges" in s]
    assert len(sums) == 1, statements
    with counted(db.get_bind()) as statements:
        assert programme_funding(db, world["programme"]) == overview
    assert not [s for s in statements if s.startswith("SELECT")], "the sums are kept"
    assert overview.pledged_by_kind == {
        "ikop": Decimal("600.00"), "fc": Decimal("350.00"), "ikaa": Decimal("200.00")
    }  # fmt: skip
    assert overview.confirmed == Decimal("1100.00")
    assert overview.eu_match_members == Decimal("600.00")
    assert overview.envelope_used == Decimal("300.00")
    assert overview.envelope_used == rules.envelope_used(db, world["programme"].id)
    assert overview.ikaa.value == Decimal("200") / Decimal("800")
    assert overview.third_country.value == Decimal("60") / Decimal("600")


def test_programme_page_lists_its_topics_a_page_at_a_time(office, db, world):
    kept = [make_topic(db, world, status="published", title=f"Kept {i}") for i in range(3)]
    make_topic(db, world, status="rejected", title="Rejected, nothing pledged")
    rejected = make_topic(db, world, status="rejected", title="Rejected, pledged")
    add_pledge(db, rejected, world["pharma"], "10.00")
    add_pledge(db, kept[1], world["pharma"], "1234.56", kind="ikop", status="confirmed")
    url = f"/pledges/funding/programmes/{world['programme'].id}"
    shown = []
    for page in (1, 2):
        html = office.get(f"{url}?per_page=2&page={page}").get_data(as_text=True)
        assert f"Page {page} of 2 (4 in all)" in html
        shown += _rows(html, "Topics")
    ids = [t.id for t in kept] + [rejected.id]
    assert shown == [f"/pledges/funding/topics/{i}" for i in ids]
    page1 = office.get(f"{url}?per_page=2").get_data(as_text=True)
    assert "EUR 1,234.56" in page1 and "4 topics" in page1


def test_decision_queue_is_paged_longest_waiting_first(office, db, world):
    topic = make_topic(db, world, status="published")
    waiting = [add_pledge(db, topic, world["pharma"], f"{i + 1}.00") for i in range(3)]
    add_pledge(db, topic, world["pharma"], "5.00", status="confirmed")
    first = office.get("/pledges/funding?per_page=2").get_data(as_text=True)
    assert "3 pledges" in first and "Page 1 of 2 (3 in all)" in first
    second = office.get("/pledges/funding?per_page=2&page=2").get_data(as_text=True)
    links = _rows(first, "Waiting") + _rows(second, "Waiting")
    assert [x for x in links if "/pledges/" in x and "funding" not in x] == [
        f"/pledges/{p.id}" for p in waiting
    ]
    assert world["pharma"].display_name in first and topic.title in first
    past_the_end = office.get("/pledges/funding?per_page=2&page=9").get_data(as_text=True)
    assert "Page 2 of 2 (3 in all)" in past_the_end and f"/pledges/{waiting[2].id}" in past_the_end


def test_partner_pages_show_all_pledges_by_pages_and_mine_the_first(client, db, world, make_user):
    topics = [make_topic(db, world, status="published", title=f"T{i}") for i in range(3)]
    for t in topics:
        add_pledge(db, t, world["pharma"], "100.00", status="confirmed")
    add_pledge(db, topics[0], world["pharma2"], "7.00")  # another organisation's
    summary = partner_funding(db, world["pharma"], shown=2)
    assert summary.count == 3 and len(summary.pledges) == 2
    assert summary.confirmed == Decimal("300.00")
    rep = make_user(org_id=world["pharma"].id)
    login(client, rep.email, PASSWORD)
    url = f"/pledges/funding/organisations/{world['pharma'].id}"
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"{url}?per_page=1&page={page}").get_data(as_text=True)
        assert "<caption>3 pledges of Pharma One AG</caption>" in html
        assert f"Page {page} of 3" in html
        seen += re.findall(r'href="/topics/(\d+)"', html)
    assert seen == [str(t.id) for t in topics]
    mine = client.get("/pledges/").get_data(as_text=True)
    assert all(f"/topics/{t.id}" in mine for t in topics) and "see all" not in mine
    assert client.get(f"/pledges/funding/organisations/{world['pharma2'].id}").status_code == 403


def test_organisation_page_lists_its_newest_pledges_and_counts_the_rest(office, db, world):
    """The profile lists the newest few of each kind and links to the involvement page,
    which lists the newest INVOLVEMENT_SHOWN; both count the rest."""
    topic = make_topic(db, world, status="published")
    for i in range(INVOLVEMENT_SHOWN + 2):
        add_pledge(db, topic, world["pharma"], f"{i + 1}.00", commit=False)
    db.commit()
    org_id = world["pharma"].id
    html = office.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert html.count("Pledge</a> to") == PROFILE_SHOWN
    newest = [f"EUR {INVOLVEMENT_SHOWN + 2 - i}.00" for i in range(PROFILE_SHOWN)]
    assert all(amount in html for amount in newest)
    assert f"EUR {INVOLVEMENT_SHOWN + 2 - PROFILE_SHOWN}.00" not in html
    assert f"and {INVOLVEMENT_SHOWN + 2 - PROFILE_SHOWN} older pledges" in html
    assert f'href="/pledges/funding/organisations/{org_id}"' in html
    assert f'href="/organisations/{org_id}/involvement"' in html
    full = office.get(f"/organisations/{org_id}/involvement").get_data(as_text=True)
    assert full.count("Pledge</a> to") == INVOLVEMENT_SHOWN
    assert f"EUR {INVOLVEMENT_SHOWN + 2}.00" in full and "EUR 1.00" not in full  # newest
    assert "and 2 older pledges" in full
    assert office.get("/organisations/999999/involvement").status_code == 404


def test_my_pledges_shows_the_first_of_many_and_links_to_all(client, db, world, make_user):
    topic = make_topic(db, world, status="published")
    for i in range(SHOWN_PLEDGES + 1):
        add_pledge(db, topic, world["pharma"], f"{i + 1}.00", commit=False)
    db.commit()
    rep = make_user(org_id=world["pharma"].id)
    login(client, rep.email, PASSWORD)
    mine = client.get("/pledges/").get_data(as_text=True)
    assert len(re.findall(r'href="/pledges/\d+"', mine)) == SHOWN_PLEDGES
    assert f"<caption>{SHOWN_PLEDGES + 1} pledges of Pharma One AG</caption>" in mine
    assert f"The first {SHOWN_PLEDGES} of {SHOWN_PLEDGES + 1} pledges" in mine
    assert f'href="/pledges/funding/organisations/{world["pharma"].id}">see all' in mine


def test_programme_page_statements_neither_grow_nor_join_each_pledge_to_its_topic(
    app, office, client, db, world, make_user
):
    """The programme's sums read pledges alone (they carry their programme), the number
    of statements does not depend on the pledges, and partners are refused the page."""
    topic = make_topic(db, world, status="published")
    url = f"/pledges/funding/programmes/{world['programme'].id}"
    engine = app.extensions["partnering.engine"]
    counts = []
    for n in (1, 12):
        for i in range(n):
            add_pledge(db, topic, world["pharma"], f"{i + 1}.00", status="confirmed",
                       commit=False)  # fmt: skip
        db.commit()
        with counted(engine) as statements:
            assert office.get(url).status_code == 200
        counts.append(len(statements))
        sums = [s for s in statements if "GROUP BY pledges.status" in s]
        assert len(sums) == 1 and "JOIN topics" not in sums[0], statements
    assert counts[0] == counts[1]
    rep = make_user(org_id=world["pharma"].id)
    login(client, rep.email, PASSWORD)
    assert client.get(url).status_code == 403
    assert client.get("/pledges/funding").status_code == 403

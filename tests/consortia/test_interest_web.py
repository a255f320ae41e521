"""The web side of issue 16's interest and picker: the topic page's interest panel, the
organisation picker of the match-request form, the interest badge of the consortium page."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

import models
from services.organisations.search import add_name_words
from tests.conftest import PASSWORD
from tests.support import csrf_from, login


@pytest.fixture
def open_topic(db, pool):
    topic = pool["topic"]
    topic.status = "published"
    db.commit()
    return topic


def _count(db):
    db.rollback()  # a fresh snapshot
    return db.scalar(select(func.count()).select_from(models.TopicInterest))


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def test_interest_panel_express_edit_withdraw(app, db, pool, open_topic, make_user):
    nordic = pool["by_name"]["Nordic Vax"]
    rep = make_user(org_id=nordic.id)
    other = make_user(org_id=pool["by_name"]["Tau Biotech"].id)
    coord = make_user("coordinator")
    url = f"/topics/{open_topic.id}"
    client = app.test_client()
    login(client, rep.email, PASSWORD)
    page = client.get(url).get_data(as_text=True)
    assert "Express interest for Nordic Vax" in page
    token = csrf_from(page)
    # A NUL byte in the note: a clear message, nothing written, no 500 (PostgreSQL too).
    r = client.post(
        f"{url}/interest",
        data={"organisation_id": nordic.id, "note": "bad\x00note", "csrf_token": token},
    )
    # refused at the edge (webapp/guard.py) before the view runs
    assert r.status_code == 422 and "NUL byte" in r.get_data(as_text=True) and _count(db) == 0
    r = client.post(
        f"{url}/interest",
        data={"organisation_id": nordic.id, "note": "x" * 1001, "csrf_token": token},
    )
    # too long: the topic page again with the reason, 422
    assert r.status_code == 422 and "longer than 1000" in _text(r) and _count(db) == 0
    # Without the CSRF token: refused.
    r = client.post(f"{url}/interest", data={"organisation_id": nordic.id, "note": "hi"})
    assert r.status_code == 400 and _count(db) == 0
    r = client.post(
        f"{url}/interest",
        data={"organisation_id": nordic.id, "note": "Infant cohorts", "csrf_token": token},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{url}#interest")
    assert _count(db) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Interest expressed" in page and "Save the note" in page
    assert "Organisations interested in this topic" not in page  # a partner sees its own only
    mine = db.scalars(select(models.TopicInterest)).one()
    # Another organisation for the same topic cannot act for Nordic Vax.
    client_other = app.test_client()
    login(client_other, other.email, PASSWORD)
    page_other = client_other.get(url).get_data(as_text=True)
    assert "Infant cohorts" not in page_other and "Nordic Vax" not in page_other
    r = client_other.post(
        f"{url}/interest",
        data={"organisation_id": nordic.id, "note": "", "csrf_token": csrf_from(page_other)},
    )
    assert r.status_code == 403
    r = client_other.post(
        f"/interests/{mine.id}/withdraw", data={"csrf_token": csrf_from(page_other)}
    )
    assert r.status_code == 404 and _count(db) == 1
    # The programme office sees name, country, sector and note.
    client_coord = app.test_client()
    login(client_coord, coord.email, PASSWORD)
    table = _text(client_coord.get(url))
    row = re.search(r"<tr><td><a [^>]+>Nordic Vax</a></td><td>SE</td><td>academia</td>"
                    r"<td>Infant cohorts</td>", table)  # fmt: skip
    assert row, table
    # Edit, then withdraw.
    r = client.post(
        f"/interests/{mine.id}/edit", data={"note": "Cohorts and assays", "csrf_token": token}
    )
    assert r.status_code == 302
    db.rollback()
    assert db.get(models.TopicInterest, mine.id).note == "Cohorts and assays"
    r = client.post(f"/interests/{mine.id}/withdraw", data={"csrf_token": token})
    assert r.status_code == 302 and _count(db) == 0
    assert "Express interest for Nordic Vax" in client.get(url).get_data(as_text=True)


def _form(client, topic_id, **extra):
    url = f"/consortia/new?topic_id={topic_id}"
    page = client.get(url).get_data(as_text=True)
    data = {
        "size": "6", "min_countries": "4", "min_sme_share": "0.2", "sector_mode": "hard",
        "industry_partners": "exclude", "alternates": "20", "seats_academia": "2",
        "interest": "mark", "interest_bonus": "0.10", "csrf_token": csrf_from(page),
    }  # fmt: skip
    data.update(extra)
    return client.post(url, data=data)


def test_picker_finds_chooses_and_refuses_unknown_ids(app, client, db, pool, open_topic, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    nordic, tau = pool["by_name"]["Nordic Vax"], pool["by_name"]["Tau Biotech"]
    add_name_words(db, nordic.legal_name)  # as an import or an edit records them
    db.commit()
    page = client.get(f"/consortia/new?topic_id={open_topic.id}").get_data(as_text=True)
    assert "No organisation is required." in page and 'name="org_q"' in page
    # Search by name (a typo is forgiven) and by PIC: nothing is requested.
    found = _text(_form(client, open_topic.id, org_q="Nordik Vax", find="1"))
    assert "Organisations found for “Nordik Vax”" in found
    assert re.search(rf'name="require" value="{nordic.id}"', found)
    by_pic = _text(_form(client, open_topic.id, org_q=tau.pic, find="1"))
    assert re.search(rf'name="exclude_org" value="{tau.id}"', by_pic)
    none = _text(_form(client, open_topic.id, org_q="zzzz", find="1"))
    assert "No organisation matches “zzzz”" in none
    # Require one, exclude another: shown by name, ticked; the typed values are kept.
    picked = _text(_form(client, open_topic.id, org_q="Nordic", require=str(nordic.id), size="7"))
    assert re.search(rf'name="must_include" value="{nordic.id}" checked>\s*Nordic Vax \(SE', picked)
    assert 'value="7"' in picked
    picked = _text(
        client.post(
            f"/consortia/new?topic_id={open_topic.id}",
            data={"must_include": str(nordic.id), "exclude_org": str(tau.id),
                  "csrf_token": csrf_from(picked), "org_q": tau.pic},
        )
    )  # fmt: skip
    assert re.search(rf'name="exclude" value="{tau.id}" checked>\s*Tau Biotech', picked)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(models.MatchRequest)) == 0
    # Unknown or malformed ids sent anyway: refused beside the field, nothing requested.
    bad = _text(_form(client, open_topic.id, must_include=["999999", str(nordic.id)]))
    assert re.search(r'id="must_include-err">[^<]*Unknown organisation\(s\): \[999999\]', bad)
    assert "“999999”: not a known organisation" in bad
    bad = _text(_form(client, open_topic.id, exclude="abc"))
    assert re.search(r'id="exclude-err">[^<]*Give organisation ids', bad)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(models.MatchRequest)) == 0
    # The request itself.
    r = _form(client, open_topic.id, must_include=str(nordic.id), exclude=str(tau.id))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    app.extensions["partnering.runtime"].dispatcher.wait_idle()
    db.rollback()
    req = db.scalars(select(models.MatchRequest)).one()
    assert req.params["must_include"] == [nordic.id] and req.params["exclude"] == [tau.id]
    assert req.status == "done", req.error


def test_consortium_page_marks_interested_members(app, client, db, pool, open_topic, make_user):
    coord = make_user("coordinator")
    login(client, coord.email, PASSWORD)
    r = _form(client, open_topic.id, interest="ignore")
    app.extensions["partnering.runtime"].dispatcher.wait_idle()
    db.rollback()
    first = db.scalars(select(models.MatchRequest)).one()
    member = next(m for m in first.members if not m.is_alternate)
    rep = make_user(org_id=member.organisation_id)
    db.add(models.TopicInterest(topic_id=open_topic.id, organisation_id=member.organisation_id,
                                note="We bring trials", created_by_id=rep.id))  # fmt: skip
    db.commit()
    page = client.get(f"/consortia/new?topic_id={open_topic.id}").get_data(as_text=True)
    assert "1 organisation expressed interest in this topic." in page
    r = _form(client, open_topic.id, interest="prefer", interest_bonus="0.5")
    assert r.status_code == 302
    app.extensions["partnering.runtime"].dispatcher.wait_idle()
    page = _text(client.get(r.headers["Location"]))
    assert "interested organisations: prefer (1)" in page
    assert re.search(
        r'<span class="badge ok">expressed interest</span> \(\+\d+\.\d\d score bonus\)', page
    )
    assert _text(client.get(f"/consortia/{first.id}")).count("expressed interest</span>") == 0

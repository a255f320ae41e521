"""The query helpers views call instead of querying: offset and cursor pages, the signed-in
user's loader, permission-checked lookups, the admin's outbox counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import models
from services.accounts import users as accounts
from services.core import pages
from services.core.errors import NotFound, PermissionDenied
from services.notifications import outbox_log
from services.pledges import funding
from tests.topic_support import make_topic


def _pagers(make_user, n: int) -> list[models.User]:
    return [make_user(email=f"pager{i}@example.org") for i in range(n)]


def test_offset_pages_carry_the_total_and_fall_back_to_the_last_page(db, make_user):
    _pagers(make_user, 7)
    query = select(models.User).where(models.User.email.like("pager%")).order_by(models.User.id)
    page = pages.page_of(db, query, 3, 3)
    assert (page.total, page.page, page.pages, page.has_prev, page.has_next) == (
        7,
        3,
        3,
        True,
        False,
    )
    assert [u.email for u in page.items] == ["pager6@example.org"]
    past = pages.page_of(db, query, 9, 3)
    assert (past.page, [u.email for u in past.items]) == (3, ["pager6@example.org"])
    distinct = pages.page_of(db, query.distinct(), 1, 5)  # counted apart, not by the window
    assert (distinct.total, len(distinct.items)) == (7, 5)


@pytest.mark.parametrize("descending", [False, True])
def test_cursor_rows_continue_after_the_last_id_seen(db, make_user, descending):
    ids = [u.id for u in _pagers(make_user, 5)]
    if descending:
        ids.reverse()
    query = select(models.User).where(models.User.email.like("pager%"))
    first, after = pages.rows_after(db, query, models.User.id, None, 2, descending=descending)
    assert ([u.id for u in first], after) == (ids[:2], ids[1])
    rest, end = pages.rows_after(db, query, models.User.id, ids[3], 2, descending=descending)
    assert ([u.id for u in rest], end) == ([ids[4]], None)


def test_the_signed_in_user_is_loaded_only_with_the_live_session_token(db, make_user):
    user = make_user("viewer")
    token = user.session_token
    assert accounts.load_signed_in_user(db, user.id, token) is user
    assert accounts.load_signed_in_user(db, user.id, "stale") is None
    assert accounts.load_signed_in_user(db, 10**9, token) is None
    user.is_active = False
    db.flush()
    assert accounts.load_signed_in_user(db, user.id, token) is None


def test_topic_funding_lookup_hides_unseen_topics_and_refuses_the_rest(db, world, make_user):
    draft = make_topic(db, world, "idea", title="Hidden draft")
    published = make_topic(db, world, "published", title="Open topic")
    viewer = make_user("viewer")
    member = make_user("viewer", sgg_id=world["sgg_a"].id)
    with pytest.raises(NotFound):
        funding.funded_topic(db, viewer, draft.id)
    with pytest.raises(NotFound):
        funding.funded_topic(db, viewer, 10**9)
    with pytest.raises(PermissionDenied):
        funding.funded_topic(db, viewer, published.id)
    assert funding.funded_topic(db, member, draft.id) is draft


def test_partner_funding_lookup_is_for_the_office_and_the_representatives(db, world, make_user):
    pharma = world["pharma"]
    rep = make_user("viewer", org_id=pharma.id)
    with pytest.raises(PermissionDenied):
        funding.funded_partner(db, rep, world["pharma2"].id)
    with pytest.raises(NotFound):
        funding.funded_partner(db, rep, 10**9)
    assert funding.funded_partner(db, rep, pharma.id) is pharma
    assert funding.funded_partner(db, make_user("coordinator"), world["pharma2"].id)


def test_outbox_counts_by_status_and_a_missing_message_is_not_found(db, make_user):
    user = make_user("viewer")
    before = outbox_log.status_counts(db)
    for status in ("pending", "pending", "failed"):
        db.add(
            models.OutboxMessage(
                event="test.event",
                recipient_id=user.id,
                recipient_email=user.email,
                channel="email",
                subject="s",
                body_text="b",
                status=status,
            )
        )
    db.flush()
    after = outbox_log.status_counts(db)
    assert {s: after[s] - before.get(s, 0) for s in after} == {"pending": 2, "failed": 1}
    assert {m.status for m in db.scalars(outbox_log.listing("failed"))} == {"failed"}
    with pytest.raises(NotFound):
        outbox_log.get_message(db, 10**9)

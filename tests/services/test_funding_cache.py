"""The funding pages' cached programme sums (services.pledges.sums_cache): every change that
reaches the sums, made through the services or the ORM, in this session or another, shows
at once; changes that cannot move them leave the token (and the programme row) alone."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Organisation, Pledge, Programme
from services.core.context import RequestContext
from services.pledges import decisions as pledge_decisions
from services.pledges import lifecycle as pledges
from services.pledges import sums_cache
from services.pledges.funding import area_distribution, programme_funding
from tests.pledge_helpers import add_pledge, form, make_topic


def _token(db: Session, programme: Programme) -> str:
    db.expire(programme, ["pledge_sums_token"])
    return programme.pledge_sums_token


def _confirmed(db: Session, programme: Programme) -> Decimal:
    return programme_funding(db, programme).confirmed


def test_each_pledge_change_through_the_services_shows_on_the_next_read(db, world, make_user):
    programme = world["programme"]
    topic = make_topic(db, world, status="published")
    rep = make_user(org_id=world["pharma"].id)
    coord = make_user(role="coordinator")
    add_pledge(db, topic, world["pharma"], "100.00", status="confirmed", eu_match=Decimal("100"))
    assert _confirmed(db, programme) == Decimal("100.00")
    before = _token(db, programme)

    # A draft moves no sum: its creation and its edits leave the token as it was.
    pledge = pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=world["pharma"].id, data=form()
    )
    pledges.update_pledge(db, RequestContext(rep), pledge, form(amount="2,000.00",
                          personnel="1,000.00", consumables="1,000.00"))  # fmt: skip
    db.commit()
    assert _token(db, programme) == before
    assert programme_funding(db, programme).pledged == Decimal("100.00")

    pledges.submit_pledge(db, RequestContext(rep), pledge)
    db.commit()
    assert programme_funding(db, programme).pledged == Decimal("2100.00")
    assert _confirmed(db, programme) == Decimal("100.00")

    pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)
    db.commit()
    assert _confirmed(db, programme) == Decimal("2100.00")
    assert programme_funding(db, programme).eu_match == Decimal("2100.00")

    pledges.withdraw_pledge(db, RequestContext(rep), pledge, reason="Budget moved elsewhere.")
    db.commit()
    assert _confirmed(db, programme) == Decimal("100.00")


def test_another_session_sees_a_committed_change(db, world):
    """Two sessions stand for two processes: the token travels through the database."""
    programme = world["programme"]
    topic = make_topic(db, world, status="published")
    pledge = add_pledge(db, topic, world["pharma"], "50.00", status="submitted")
    other = Session(db.get_bind(), expire_on_commit=False)
    try:
        theirs = other.get(Programme, programme.id)
        assert theirs is not None and programme_funding(other, theirs).pledged == Decimal("50.00")
        other.commit()
        pledge.amount = Decimal("70.00")
        db.commit()
        other.expire_all()
        assert programme_funding(other, theirs).pledged == Decimal("70.00")
    finally:
        other.close()


def test_a_rolled_back_change_leaves_no_sums_behind(db, world):
    programme = world["programme"]
    topic = make_topic(db, world, status="published")
    pledge = add_pledge(db, topic, world["pharma"], "10.00", status="submitted")
    assert programme_funding(db, programme).pledged == Decimal("10.00")
    pledge.amount = Decimal("999.00")
    db.flush()
    assert programme_funding(db, programme).pledged == Decimal("999.00")  # inside the change
    db.rollback()
    assert programme_funding(db, programme).pledged == Decimal("10.00")
    pledge.amount = Decimal("20.00")
    db.commit()
    assert programme_funding(db, programme).pledged == Decimal("20.00")


def test_membership_area_and_bulk_changes_renew_the_sums(db, world):
    programme = world["programme"]
    topic = make_topic(db, world, status="published")
    other_area_topic = make_topic(db, world, status="published", title="Another")
    add_pledge(db, topic, world["pharma"], "300.00", kind="ikaa", status="confirmed",
               eu_match=Decimal("300"))  # fmt: skip
    add_pledge(db, topic, world["pharma"], "700.00", kind="ikop", status="confirmed",
               eu_match=Decimal("700"))  # fmt: skip
    assert programme_funding(db, programme).ikaa.value == Decimal("0.3")
    # An organisation that stops being a member counts in no member sum of any programme.
    world["pharma"].is_efpia_member = False
    db.commit()
    assert programme_funding(db, programme).ikaa.value is None

    areas = {row.area: row.industry for row in area_distribution(db, programme)}
    assert areas["Infectious diseases"] == Decimal("1000.00")
    topic.area_id = world["sgg_b"].area_id
    db.commit()
    areas = {row.area: row.industry for row in area_distribution(db, programme)}
    assert areas == {"Cancer": Decimal("1000.00"), "Total": Decimal("1000.00")}

    # An ORM UPDATE statement (an organisation merge moves pledges so) renews every programme.
    db.execute(
        update(Pledge).where(Pledge.topic_id == topic.id).values(topic_id=other_area_topic.id)
    )
    db.commit()
    areas = {row.area: row.industry for row in area_distribution(db, programme)}
    assert areas["Infectious diseases"] == Decimal("1000.00")


def test_a_write_outside_the_orm_needs_renew_all(db, world):
    """The documented contract of raw SQL: the sums stay until the tokens are renewed."""
    programme = world["programme"]
    topic = make_topic(db, world, status="published")
    add_pledge(db, topic, world["pharma"], "5.00", status="submitted")
    assert programme_funding(db, programme).pledged == Decimal("5.00")
    db.connection().execute(update(Pledge.__table__).values(amount=Decimal("6.00")))
    db.commit()
    assert programme_funding(db, programme).pledged == Decimal("5.00")
    sums_cache.renew_all(db)
    db.commit()
    assert programme_funding(db, programme).pledged == Decimal("6.00")


def test_an_organisation_edit_that_keeps_membership_keeps_the_token(db, world):
    programme = world["programme"]
    before = _token(db, programme)
    org = db.get(Organisation, world["uni"].id)
    assert org is not None
    org.city = "Heidelberg"
    db.commit()
    assert _token(db, programme) == before

"""50 coordinators confirm at once: matched funding never passes the envelope, to the cent.

Runs on the database under test (SQLite file by default, PostgreSQL with
TEST_DATABASE_URL); each thread has its own session and transaction and commits.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from models import OutboxMessage, Pledge, User
from models.db import make_engine, make_session_factory
from services.core.context import RequestContext
from services.core.errors import Conflict
from services.pledges import decisions as pledge_decisions
from tests.pledge_helpers import add_pledge, make_partner, make_topic

THREADS = 50
AMOUNT = Decimal("30000.01")
ENVELOPE = Decimal("1000000.00")
FITS = int(ENVELOPE // AMOUNT)  # 33


def test_parallel_confirmations_never_exceed_the_envelope(db, world, make_user, database_url):
    world["programme"].partner_envelope = ENVELOPE
    db.commit()
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"])
    coord = make_user(role="coordinator")
    ids = [add_pledge(db, topic, partner, str(AMOUNT), commit=False) for _ in range(THREADS)]
    db.commit()
    ids = [p.id for p in ids]

    engine = make_engine(database_url, pool_size=20, max_overflow=0, pool_timeout=120)
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(THREADS)

    def confirm(pledge_id: int) -> str:
        barrier.wait()
        with sessions() as session:
            actor = session.get(User, coord.id)
            try:
                pledge_decisions.confirm_pledge(session, RequestContext(actor), pledge_id)
                session.commit()
                return "confirmed"
            except Conflict as exc:
                session.rollback()
                return exc.message

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(confirm, ids))
    finally:
        engine.dispose()

    db.expire_all()
    confirmed = [r for r in results if r == "confirmed"]
    refused = [r for r in results if r != "confirmed"]
    assert len(confirmed) == FITS
    assert all("only EUR" in r and "remains" in r for r in refused), refused[:3]
    rows = db.scalars(select(Pledge).where(Pledge.status == "confirmed")).all()
    assert len(rows) == FITS and all(p.eu_match == AMOUNT for p in rows)
    total = sum((p.eu_match for p in rows), Decimal(0))
    assert total == AMOUNT * FITS <= ENVELOPE
    assert ENVELOPE - total < AMOUNT  # exactly the pledges that fit were confirmed
    assert db.scalar(select(func.count()).where(Pledge.status == "submitted")) == THREADS - FITS
    crossings = db.scalars(
        select(OutboxMessage.event).where(
            OutboxMessage.event.like("envelope.%"), OutboxMessage.channel == "email"
        )
    ).all()
    assert crossings == ["envelope.80"]  # one coordinator, told once

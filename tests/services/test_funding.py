"""Funding figures: exact cent totals over 10,000 pledges, topic/partner/programme/area
views (the exports: tests/services/test_exports.py)."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import insert

from models import Pledge
from services.pledges.funding import (
    area_distribution,
    partner_funding,
    programme_funding,
)
from services.pledges.topic_funding import topic_funding
from tests.pledge_helpers import add_pledge, make_partner, make_topic


def test_exact_cent_totals_across_10000_pledges(db, world):
    topic = make_topic(db, world)
    rng = random.Random(5)
    rows, expected, expected_match = [], Decimal("0"), Decimal("0")
    for i in range(10_000):
        # Amounts whose float sum drifts: many cents that no binary fraction holds exactly.
        amount = Decimal(rng.randrange(1, 10**11)) / 100
        status = "confirmed" if i % 3 else "submitted"
        match = amount if status == "confirmed" else None
        rows.append(
            {
                "topic_id": topic.id,
                "organisation_id": world["pharma"].id,
                "kind": "fc",
                "amount": amount,
                "status": status,
                "eu_match": match,
                "third_country_costs": Decimal("0"),
                "contributing_entity": "",
                "note": "",
                "from_envelope": False,
            }
        )
        expected += amount
        expected_match += match or 0
    # The data discriminates: summing these amounts as floats misses the cents.
    float_total = Decimal(sum(float(r["amount"]) for r in rows)).quantize(Decimal("0.01"))
    assert float_total != expected
    db.execute(insert(Pledge), rows)
    db.commit()
    funding = topic_funding(db, topic)
    assert funding.pledged == expected
    assert funding.eu_match == expected_match
    assert funding.confirmed == expected_match
    overview = programme_funding(db, world["programme"])
    assert overview.pledged == expected and overview.eu_match == expected_match
    assert partner_funding(db, world["pharma"]).eu_match == expected_match
    areas = area_distribution(db, world["programme"])
    assert areas[-1].industry == expected_match and areas[-1].eu == expected_match


def test_topic_funding_by_kind_state_gap_and_share(db, world):
    topic = make_topic(db, world, eu="1000.00", industry="2000.00")
    partner = make_partner(db, world["programme"])
    add_pledge(db, topic, world["pharma"], "500.00", kind="ikop", status="confirmed",
               eu_match=Decimal("500.00"))  # fmt: skip
    add_pledge(db, topic, partner, "300.00", status="submitted")
    add_pledge(db, topic, partner, "99.99", status="draft")
    add_pledge(db, topic, partner, "7.00", status="withdrawn")
    f = topic_funding(db, topic)
    assert f.by_kind == {"ikop": Decimal("500.00"), "fc": Decimal("300.00"), "ikaa": Decimal(0)}
    assert f.by_state["draft"] == Decimal("99.99") and f.by_state["withdrawn"] == Decimal("7.00")
    assert f.pledged == Decimal("800.00") and f.confirmed == Decimal("500.00")
    assert f.eu_match == Decimal("500.00")
    assert f.gap == Decimal("1500.00")
    assert f.share.value == Decimal("500") / Decimal("1500") and f.meets_share is False


def test_area_distribution_shares(db, world):
    a = make_topic(db, world, title="A")
    b = make_topic(db, world, title="B")
    b.area_id = None
    db.commit()
    add_pledge(db, a, world["pharma"], "300.00", status="confirmed", eu_match=Decimal("300.00"))
    add_pledge(db, b, world["pharma"], "100.00", status="confirmed", eu_match=Decimal("100.00"))
    rows = area_distribution(db, world["programme"])
    assert [r.area for r in rows] == ["Infectious diseases", "No area", "Total"]
    assert rows[0].industry_share == Decimal("0.75") and rows[-1].total == Decimal("800.00")

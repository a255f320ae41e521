"""Topic list, search and export speed on a database of N generated topics; prints figures.

Usage: PYTHONPATH=. python bench/topics_search.py [N] [DATABASE_URL]
(default 5000 topics in a throw-away SQLite file). Generated text, no real data.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from decimal import Decimal

from sqlalchemy import func, select

from models import Programme, ScientificArea, Sgg, Topic, User
from models.db import make_engine, make_session_factory
from models.topics import TOPIC_STATES
from services.core import exports, schema
from services.topics import listing as topic_list

NAMED = ("vaccine", "organoid", "biomarker", "cohort", "insulin", "tumour", "wearable")
# A vocabulary large enough that a named word occurs in a minority of topics.
WORDS = (*NAMED, *(f"term{i}" for i in range(3000)))


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    schema.upgrade(url)
    session = make_session_factory(make_engine(url))()
    rng = random.Random(1)
    programme = Programme(code=f"B{rng.randrange(10**6)}", name="Bench")
    area = ScientificArea(name=f"Area {programme.code}", slug=f"area-{programme.code}")
    sggs = [Sgg(programme=programme, area=area, name=f"SGG {i}") for i in range(6)]
    member = User(email=f"m{programme.code}@bench", name="Member", role="viewer")
    session.add_all([programme, area, *sggs, member])
    session.flush()
    start = time.perf_counter()
    session.add_all(
        Topic(
            programme=programme,
            sgg=rng.choice(sggs),
            area=area,
            title=_text(rng, 6),
            status=rng.choice(TOPIC_STATES),
            challenge=_text(rng, 120),
            scope=_text(rng, 200),
            expected_outcomes=_text(rng, 60),
            expected_impact=_text(rng, 60),
            keywords=_text(rng, 5),
            eu_contribution=Decimal(rng.randrange(10**6, 10**7)),
        )
        for _ in range(n)
    )
    session.commit()
    print(f"inserted {n} topics in {time.perf_counter() - start:.2f} s")
    coordinator = User(email=f"c{programme.code}@bench", name="C", role="coordinator")
    session.add(coordinator)
    session.commit()
    for who, user in (("coordinator", coordinator), ("viewer", member)):
        for q in ("", "organoid", "organoid cohort insulin"):
            filters = topic_list.TopicFilters(q=q, sort="title")
            query = topic_list.topic_query(user, filters)
            start = time.perf_counter()
            total = session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())
            )
            page = list(session.scalars(query.limit(25)))
            took = (time.perf_counter() - start) * 1000
            print(
                f"{who:11} q={q!r:28} matches={total:5} first page ({len(page)}) in {took:.0f} ms"
            )
    start = time.perf_counter()
    table = topic_list.export_table(session, coordinator, topic_list.TopicFilters())
    data = exports.to_xlsx(table)
    print(
        f"XLSX export of {len(table.rows)} topics: {len(data)} bytes in "
        f"{time.perf_counter() - start:.2f} s"
    )


if __name__ == "__main__":
    main()

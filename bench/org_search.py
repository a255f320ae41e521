"""Organisation search on the full CORDIS import: p50/p95 of name and filtered queries.

Usage: PYTHONPATH=. python bench/org_search.py [DATABASE_URL ...]
Without a URL it imports the real files into a throwaway PostgreSQL database and a
throwaway SQLite file first (a minute or two), then measures both. A measured query is
what the search page runs: the first page of 25, sorted, carrying the count of matches
(services.core.pages.page_of).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from bench.cordis_import import data_dir, postgres_database, sqlite_database
from models.db import make_engine, make_session_factory
from services.core.context import RequestContext
from services.core.pages import page_of
from services.organisations.cordis_import import create_run, run_import
from services.organisations.search import OrgQuery, search

ROUNDS = 20
NAMES = [
    "karolinska", "karolinzka institutet", "Université Paris-Saclay", "universite paris saclai",
    "fraunhofer", "Fraunhofr gesellschaft", "max planck", "consiglio nazionale delle ricerche",
    "CNRS", "technische universitat munchen", "leiden university", "novartis",
    "sanofi", "inserm", "katholieke universiteit leuven", "imperial college",
]  # fmt: skip
FILTERED = [
    OrgQuery(country="DE", sector="sme", sme=True, sort="name"),
    OrgQuery(country="FR", sector="academia", sort="projects"),
    OrgQuery(country="IT", sector="industry"),
    OrgQuery(name="universit", country="ES", sector="academia"),
    OrgQuery(text="antimicrobial resistance", country="NL"),
    OrgQuery(text="vaccine", sector="sme", sme=True),
    OrgQuery(pic="999993953"),
    OrgQuery(country="BE", sort="country"),
]


def page(session: Session, query: OrgQuery) -> int:
    return page_of(session, search(session, query), 1, 25).total


def timed(session: Session, queries: list[OrgQuery]) -> list[float]:
    out = []
    for _ in range(ROUNDS):
        for q in queries:
            start = time.perf_counter()
            page(session, q)
            out.append((time.perf_counter() - start) * 1000)
    return out


def report(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"  {label:16} n={len(samples):4d}  p50 {statistics.median(samples):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {samples[-1]:6.1f} ms"
    )


def measure(url: str) -> None:
    engine = make_engine(url, immediate=False)
    session = make_session_factory(engine)()
    print(url.split("@")[-1].split("?")[0])
    for q in FILTERED[:2]:  # warm the caches once
        page(session, q)
    report("name query", timed(session, [OrgQuery(name=n) for n in NAMES]))
    report("filtered query", timed(session, FILTERED))
    session.close()
    engine.dispose()


def imported(open_db: Callable[[], object], stack: ExitStack) -> str:
    url = stack.enter_context(open_db())
    engine = make_engine(url)
    session = make_session_factory(engine)()
    data = data_dir()
    run = create_run(
        session, RequestContext(None), data / "project.csv.gz", data / "organization.csv.gz"
    )
    run_import(session, run.id)
    session.commit()
    session.close()
    engine.dispose()
    return url


def main() -> None:
    urls = sys.argv[1:]
    with ExitStack() as stack:
        if not urls:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            print("importing the real files into PostgreSQL and SQLite...")
            urls = [imported(postgres_database, stack),
                    imported(lambda: sqlite_database(tmp), stack)]  # fmt: skip
        for url in urls:
            measure(url)


if __name__ == "__main__":
    main()

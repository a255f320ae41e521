"""Workflow speed on the full CORDIS import: cold `partnering suggest`, warm worker requests.

    PYTHONPATH=. python bench/matching_workflow.py [--db sqlite:////tmp/pm-bench.db] [-n 40]

Uses DATABASE_URL (or --db; default a SQLite file in /tmp). When the database has no
organisations it runs `partnering import-cordis` on ../shared/data/cordis-he (or
$CORDIS_DIR) first, and `partnering build-index` when there is no index. Prints:
- import and index build times (when done here);
- cold `partnering suggest` wall time (a new process: app start, index load from disk,
  scoring, MILP, explanations), 3 runs;
- warm per-request latency of a match request in a worker-like process: request_match +
  run_match (index cached per process, members written) over n topics built from
  health-cluster project texts, p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from services.core.context import RequestContext

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CORDIS_DIR") or ROOT.parent / "shared" / "data" / "cordis-he")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webapp", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("DATABASE_URL") or "sqlite:////tmp/pm-bench.db")
    ap.add_argument("--instance", default="/tmp/pm-bench-instance")
    ap.add_argument("-n", type=int, default=40)
    args = ap.parse_args()
    env = dict(
        os.environ,
        DATABASE_URL=args.db,
        INSTANCE_PATH=args.instance,
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-" + os.urandom(8).hex(),
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY")})
    sys.path.insert(0, str(ROOT))

    from sqlalchemy import func, select

    from models import CordisProject, Organisation, Programme, Sgg, Topic, User
    from models.db import make_engine, make_session_factory
    from services.consortia import expertise_index as matching_index
    from services.consortia import match_requests as consortia
    from services.core import schema

    schema.upgrade(args.db)
    sessions = make_session_factory(make_engine(args.db))
    with sessions() as s:
        n_orgs = s.scalar(select(func.count()).select_from(Organisation))
    if not n_orgs:
        if not (DATA / "project.csv.gz").exists():
            sys.exit(f"no CORDIS data at {DATA}; set CORDIS_DIR")
        t0 = time.perf_counter()
        r = cli(env, "import-cordis", "--projects", str(DATA / "project.csv.gz"),
                "--organisations", str(DATA / "organization.csv.gz"))  # fmt: skip
        if r.returncode:
            sys.exit(r.stderr)
        print(f"import-cordis: {time.perf_counter() - t0:.1f} s")
    with sessions() as s:
        has_index = matching_index.current_version(s) is not None
    if not has_index:
        t0 = time.perf_counter()
        r = cli(env, "build-index")
        if r.returncode:
            sys.exit(r.stderr)
        print(
            f"build-index (wall, new process): {time.perf_counter() - t0:.1f} s; {r.stdout.strip()}"
        )

    # -- cold CLI ------------------------------------------------------------------------
    query = {
        "title": "Next-generation pertussis vaccines",
        "text": "Develop and test novel pertussis vaccine candidates, adjuvants and correlates "
        "of protection in infants, with clinical trials and regulatory science.",
        "keywords": ["vaccine", "pertussis", "immunology"],
        "size": 25,
        "sector_counts": {"PRC": 11, "HES": 5, "REC": 4, "OTH": 2, "PUB": 1},
        "min_countries": 8,
        "alternates": 100,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(query, f)
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = cli(env, "suggest", f.name)
        walls.append(time.perf_counter() - t0)
        if r.returncode:
            sys.exit(r.stderr)
    out = json.loads(r.stdout)
    print(
        f"cold `partnering suggest` (size 25, 5 sector quotas, 8 countries, 100 alternates): "
        f"wall {min(walls):.2f} s best / {np.median(walls):.2f} s median of 3 "
        f"(in-process part {out['elapsed_ms']:.0f} ms, solver {out['solver']} "
        f"{out['solve_ms']:.0f} ms), {len(out['consortium'])} members"
    )

    # -- warm worker ---------------------------------------------------------------------
    with sessions() as s:
        programme = s.scalar(select(Programme).where(Programme.code == "BENCH")) or Programme(
            code="BENCH", name="Bench programme"
        )
        sgg = s.scalar(select(Sgg).where(Sgg.name == "Bench SGG")) or Sgg(
            programme=programme, name="Bench SGG"
        )
        user = s.scalar(select(User).where(User.email == "bench@example.org")) or User(
            email="bench@example.org", name="Bench", role="coordinator"
        )
        s.add_all([programme, sgg, user])
        s.flush()
        docs = s.execute(
            select(CordisProject.title, CordisProject.objective, CordisProject.keywords)
            .where(CordisProject.call.like("HORIZON-HLTH%"))
            .order_by(CordisProject.id)
            .limit(args.n)
        ).all()
        topics = []
        for i, (title, objective, keywords) in enumerate(docs):
            targets = {"industry": 8, "sme": 3, "academia": 5, "research": 4}
            t = Topic(programme=programme, sgg=sgg, title=(title or f"t{i}")[:300],
                      scope=objective or "", keywords=keywords or "", consortium_size_min=25,
                      consortium_size_max=25, min_countries=8, sector_targets=targets)  # fmt: skip
            topics.append(t)
        s.add_all(topics)
        s.commit()
        instance = Path(args.instance)
        t0 = time.perf_counter()
        version = matching_index.current_version(s)
        matching_index.load_index(version, instance)
        load_s = time.perf_counter() - t0
        lat = []
        for t in topics:
            t0 = time.perf_counter()
            req, _ = consortia.request_match(s, RequestContext(user), t.id, {"alternates": 30})
            consortia.run_match(
                s, RequestContext(None, public_url="http://bench"), req.id, instance
            )
            s.commit()
            lat.append((time.perf_counter() - t0) * 1e3)
            assert req.status == "done", req.error
    print(f"worker: first index load {load_s:.2f} s (once per process)")
    print(
        f"warm match request (request + run + store 25 members and 30 alternates, "
        f"n={len(lat)}): p50 {np.percentile(lat, 50):.0f} ms, p95 {np.percentile(lat, 95):.0f} ms"
    )


if __name__ == "__main__":
    main()

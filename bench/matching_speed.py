"""Speed and solver-quality figures of the matching engine on the full CORDIS pool.

    PYTHONPATH=. python bench/matching_speed.py [--topics 50]

Prints: index build time and peak memory, save/load time, scoring + consortium per topic
(size 25, every rule switched on) p50/p95, the loss of the lossy pre-filter cut, a
call-wide assignment of 20 topics, and the greedy+swap heuristic's gap to the exact MILP on
small instances.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from bench.matching_cordis import (
    is_health,
    load_participations,
    load_projects,
    make_candidates,
    require_data,
)
from matching.callwide import assign_call
from matching.consortium import build_consortium
from matching.index import ExpertiseIndex, build_index
from matching.milp import DEFAULT_MAX_POOL
from matching.scoring import score_candidates
from matching.types import ConsortiumSpec, TopicQuery

IHI_MIX = {"industry": 7, "sme": 4, "academia": 6, "research": 4, "other": 2, "public": 1}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(xs, q):
    return float(np.percentile(np.asarray(xs), q))


def full_spec(index, rng, scores) -> ConsortiumSpec:
    top = [int(index.ids[r]) for r in np.argsort(-scores, kind="stable")[:40]]
    return ConsortiumSpec(
        size=25,
        sector_counts=dict(IHI_MIX),
        min_countries=6,
        max_per_country=5,
        min_sme_share=0.16,
        capacity=3,
        must_include=[top[3]] if index.active[index.row(top[3])] < 3 else [],
        exclude=rng.sample(top[5:], 3),
        alternates=100,
        alternates_per_seat=3,
        seed=1,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=int, default=50)
    ap.add_argument("--gap-instances", type=int, default=30)
    args = ap.parse_args()
    require_data()
    t0 = time.perf_counter()
    projects = load_projects()
    parts = load_participations()
    candidates = make_candidates(parts)
    # Simulated load: participations in projects starting 2024 or later.
    recent = {d.id for d, _ in projects if (d.start_year or 0) >= 2024}
    active = Counter(p.pic for p in parts if p.project_id in recent)
    for c in candidates:
        c.active_consortia = active.get(c.id, 0)
    docs = [d for d, _ in projects]
    pairs = [(p.pic, p.project_id) for p in parts]
    print(
        f"data: {len(docs)} projects, {len(pairs)} participations, {len(candidates)} "
        f"organisations; load {time.perf_counter() - t0:.1f}s, peak RSS {peak_mb():.0f} MB"
    )

    rss0 = peak_mb()
    t = time.perf_counter()
    index = build_index(docs, pairs, candidates)
    build_s = time.perf_counter() - t
    print(
        f"index build: {build_s:.1f}s, peak RSS {peak_mb():.0f} MB (+{peak_mb() - rss0:.0f} MB "
        f"over loaded data), vocabulary {len(index.text_model.vocabulary)} terms, "
        f"project matrix nnz {index.projects.nnz}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        index.save(tmp)
        save_s = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        t = time.perf_counter()
        index = ExpertiseIndex.load(tmp)
        load_s = time.perf_counter() - t
    print(f"index save {save_s:.1f}s ({size_mb:.0f} MB on disk), load {load_s:.2f}s")

    extra = {d.id: e for d, e in projects}
    health = sorted((d for d in docs if is_health(d.topic)), key=lambda d: d.id)
    rng = random.Random(5)
    topics = rng.sample(health, args.topics)
    queries = [TopicQuery(d.title, extra[d.id]["objective"], d.keywords) for d in topics]

    score_ms, total_ms, solvers, loss = [], [], Counter(), []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        sc = score_candidates(index, q)
        score_ms.append((time.perf_counter() - t) * 1e3)
        spec = full_spec(index, rng, sc)
        t = time.perf_counter()
        s = build_consortium(index, q, spec)
        total_ms.append(score_ms[-1] + (time.perf_counter() - t) * 1e3)
        solvers[s.solver] += 1
        assert s.feasible, s.problems
        if i < 15:  # lossless pool vs the default capped pool
            full = build_consortium(index, q, spec, scores=sc, max_pool=None, explain_members=0)
            loss.append((full.objective - s.objective) / full.objective)
    print(
        f"per topic (size 25, sector mix {sum(IHI_MIX.values())} seats + 1 open, >=6 countries,"
        f" <=5/country, >=16% SME, capacity 3, must_include, exclude, explanations, 3 "
        f"alternates/seat), n={len(queries)}:\n"
        f"  scoring alone    p50 {pct(score_ms, 50):.0f} ms, p95 {pct(score_ms, 95):.0f} ms\n"
        f"  score+consortium p50 {pct(total_ms, 50):.0f} ms, p95 {pct(total_ms, 95):.0f} ms; "
        f"solver {dict(solvers)}\n"
        f"  pre-filter cut ({DEFAULT_MAX_POOL}) vs lossless class pool: "
        f"mean loss {np.mean(loss):.4%}, "
        f"max {np.max(loss):.4%} (n={len(loss)})"
    )

    call = queries[:20]
    specs = [
        ConsortiumSpec(
            size=25,
            sector_counts=dict(IHI_MIX),
            min_countries=6,
            max_per_country=5,
            min_sme_share=0.16,
            capacity=3,
            seed=1,
        )
        for _ in call
    ]
    for cap in (1, 2):
        t = time.perf_counter()
        a = assign_call(index, call, specs, capacity=cap)
        el = time.perf_counter() - t
        print(
            f"call-wide, 20 topics x 25 seats, capacity {cap}: {el:.1f}s, solver {a.solver}, "
            f"objective {a.objective:.2f} vs independent {a.independent_objective:.2f} "
            f"({(a.objective / a.independent_objective - 1):+.2%}); independent solutions "
            f"overbook {a.independent_overbooked} organisations"
        )

    gaps, hms, ems = [], [], []
    grng = random.Random(9)
    for i in range(args.gap_instances):
        q = queries[i % len(queries)]
        sc = score_candidates(index, q)
        top = np.argsort(-sc, kind="stable")[:300]
        keep = set(top.tolist())
        ex = [int(index.ids[r]) for r in range(index.n_candidates) if r not in keep]
        size = grng.choice([8, 10, 12, 15])
        spec = ConsortiumSpec(
            size=size,
            sector_counts={"industry": size // 4, "sme": 2, "academia": size // 4, "research": 1},
            min_countries=grng.choice([3, 5]),
            max_per_country=grng.choice([2, 3]),
            min_sme_share=0.2,
            exclude=ex,
            seed=i,
        )
        t = time.perf_counter()
        e = build_consortium(index, None, spec, scores=sc, method="exact", explain_members=0)
        ems.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        h = build_consortium(index, None, spec, scores=sc, method="heuristic", explain_members=0)
        hms.append((time.perf_counter() - t) * 1e3)
        if e.feasible and h.feasible:
            gaps.append((e.objective - h.objective) / e.objective)
    gaps = np.array(gaps)
    print(
        f"heuristic vs exact on {len(gaps)} small instances (300-candidate pool, size 8-15, "
        f"all rules): gap mean {gaps.mean():.2%}, p95 {pct(gaps, 95):.2%}, max "
        f"{gaps.max():.2%}, optimal in {(gaps < 1e-9).mean():.0%}; "
        f"time heuristic p50 {pct(hms, 50):.0f} ms vs exact p50 {pct(ems, 50):.0f} ms"
    )
    print(f"peak RSS {peak_mb():.0f} MB; total {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()

"""Leave-out evaluation of the matching engine on CORDIS Horizon Europe (health cluster).

    PYTHONPATH=. python bench/matching_eval.py [--n 60 --n-industry 20 --seed 11] [--tune]
        [--part dev] [--cache DIR]

A seeded sample of health-cluster projects (topic HORIZON-HLTH*, or IHI when present) is
held out: their participations are removed from the index. For each held-out project we ask
for a consortium of its true size (true members present in the pool, third parties
excluded) and true sector mix, from its title + objective + keywords, and measure recall of
the true members at K (the consortium), 2K and 100 (consortium followed by the ranked
alternates). Every method goes through the same consortium builder; only the scores differ.
A disjoint dev sample (--tune, --part dev) is used to choose ScoringParams; the test sample
only reports. "engine" is the engine now, "previous" the engine before programme history
(PREVIOUS_PARAMS); these cases have no programme history (a random leave-out).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

from bench.matching_cordis import (
    is_health,
    load_participations,
    load_projects,
    make_candidates,
    require_data,
)
from matching.consortium import build_consortium
from matching.index import ExpertiseIndex, build_index
from matching.scoring import (
    DEFAULT_PARAMS,
    PREVIOUS_PARAMS,
    combine_scores,
    project_similarities,
    score_terms,
    term_weights,
)
from matching.types import ConsortiumSpec, TopicQuery

PRC_SHARE = 0.35


def held_out_cases(projects, parts, n, n_industry, seed, exclude=()):
    """Seeded sample of health projects (plus industry-heavy ones), as (doc, members)."""
    members = defaultdict(list)
    for p in parts:
        if p.role != "thirdParty":
            members[p.project_id].append(p)
    health = sorted(
        (d for d, _ in projects if is_health(d.topic) and d.id not in exclude),
        key=lambda d: d.id,
    )
    rng = random.Random(seed)
    rng.shuffle(health)

    def prc_share(d):
        ms = members[d.id]
        return sum(m.activity == "PRC" for m in ms) / max(1, len(ms))

    base = [d for d in health if len(members[d.id]) >= 3][:n]
    heavy = [d for d in health if d not in base and prc_share(d) >= PRC_SHARE][:n_industry]
    return [(d, prc_share(d) >= PRC_SHARE or "IHI" in d.topic) for d in base + heavy]


def build_case_index(projects, parts, candidates, held: set[str], cache: Path | None = None):
    """The pool without the held-out projects; kept in ``cache`` (same seeds only)."""
    if cache is not None and (cache / "meta.json").exists():
        return ExpertiseIndex.load(cache)
    docs = [d for d, _ in projects if d.id not in held]
    pairs = [(p.pic, p.project_id) for p in parts if p.project_id not in held]
    in_pool = {pic for pic, _ in pairs}
    cands = [c for c in candidates if c.id in in_pool]
    index = build_index(docs, pairs, cands)
    if cache is not None:
        index.save(cache)
    return index


def case_spec(index, doc, parts_by_project, seed):
    true_ids = sorted(
        {
            p.pic
            for p in parts_by_project[doc.id]
            if p.role != "thirdParty" and p.pic in index.row_of
        }
    )
    if len(true_ids) < 2:
        return None, []
    rows = [index.row(i) for i in true_ids]
    sectors = Counter(index.sector[r] for r in rows)
    countries = {index.country[r] for r in rows if index.eligible[r]}
    spec = ConsortiumSpec(
        size=len(true_ids),
        sector_counts=dict(sectors),
        min_countries=min(3, len(countries)),
        require_eu_member=any(index.eu_member[r] for r in rows),
        alternates=max(100, 2 * len(true_ids)),
        alternates_per_seat=0,
        seed=seed,
    )
    return spec, true_ids


def query_of(doc, extra) -> TopicQuery:
    return TopicQuery(title=doc.title, text=extra["objective"], keywords=doc.keywords)


def recalls(sugg, true_ids, k):
    ranked = [m.candidate_id for m in sugg.members] + [a for a, _ in sugg.alternates]
    t = set(true_ids)
    return tuple(len(t & set(ranked[:n])) / len(t) for n in (k, 2 * k, 100))


def method_scores(index, sims, q, rng_seed):
    n = index.n_candidates
    rng = np.random.default_rng(rng_seed)
    mx = np.zeros(n)
    inc = index.incidence
    data = sims[inc.indices]
    nonempty = np.diff(inc.indptr) > 0
    mx[nonempty] = np.maximum.reduceat(data, inc.indptr[:-1][nonempty])
    return {
        "engine": combine_scores(index, sims, q, DEFAULT_PARAMS),
        "previous": combine_scores(index, sims, q, PREVIOUS_PARAMS),
        "tfidf+prior": mx + 0.01 * np.log1p(index.n_projects),
        "popularity": np.log1p(index.n_projects),
        "random": rng.random(n),
    }


def paired_ci(a, b, n_boot=4000, seed=0):
    d = np.asarray(a) - np.asarray(b)
    rng = np.random.default_rng(seed)
    boots = d[rng.integers(0, len(d), size=(n_boot, len(d)))].mean(axis=1)
    return d.mean(), np.percentile(boots, 2.5), np.percentile(boots, 97.5)


def report(title, results, mask):
    methods = list(results)
    n = int(mask.sum())
    print(f"\n{title} (n={n} projects)")
    print(f"{'method':<12} {'R@K':>6} {'R@2K':>6} {'R@100':>6}   engine minus method, 95% CI")
    for m in methods:
        arr = np.array(results[m])[mask]
        line = f"{m:<12} " + " ".join(f"{arr[:, j].mean():6.3f}" for j in range(3))
        if m != "engine":
            eng = np.array(results["engine"])[mask]
            cis = [paired_ci(eng[:, j], arr[:, j]) for j in range(3)]
            line += "   " + "  ".join(f"{d:+.3f} [{lo:+.3f},{hi:+.3f}]" for d, lo, hi in cis)
        print(line)


GRID = {"power": (3.0, 4.0), "w_area": (0.0, 0.15, 0.3), "w_profile": (0.25, 0.5)}


def tune(index, cases, parts_by_project, projects_extra):
    """Grid on the dev sample with a fast proxy (sector-quota top-K, top-100)."""
    pre = {power: [] for power in GRID["power"]}
    for doc, _ in cases:
        spec, true_ids = case_spec(index, doc, parts_by_project, 0)
        if spec is None:
            continue
        sims, q = project_similarities(index, query_of(doc, projects_extra[doc.id]))
        truth = np.array([index.row(i) for i in true_ids])
        for power in GRID["power"]:
            terms = score_terms(index, sims, q, replace(DEFAULT_PARAMS, power=power), every=True)
            pre[power].append((spec, truth, terms))
    rows = []
    for power, w_area, w_profile in product(*GRID.values()):
        params = replace(DEFAULT_PARAMS, power=power, w_area=w_area, w_profile=w_profile)
        weights = term_weights(params)
        rk, r100 = [], []
        for spec, truth, terms in pre[power]:
            s = sum(w * terms[k] for k, w in weights.items() if w and k in terms)
            order = np.argsort(-s, kind="stable")
            r100.append(np.isin(truth, order[:100]).mean())
            hit = 0
            for key, n in spec.sector_counts.items():
                sel = order[np.isin(index.sector[order], [key])][:n]
                hit += np.isin(truth, sel).sum()
            rk.append(hit / len(truth))
        rows.append((np.mean(rk) + 0.5 * np.mean(r100), np.mean(rk), np.mean(r100), params))
    rows.sort(key=lambda t: -t[0])
    for _tot, a, b, params in rows[:8]:
        print(f"proxy R@K {a:.3f} R@100 {b:.3f}  " + str({k: getattr(params, k) for k in GRID}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--n-industry", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--dev-seed", type=int, default=99)
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--part", choices=("test", "dev"), default="test", help="dev: never report")
    ap.add_argument("--cache", type=Path, help="keep the index here (for the same seeds)")
    args = ap.parse_args()
    require_data()
    t0 = time.perf_counter()
    projects = load_projects()
    parts = load_participations()
    candidates = make_candidates(parts)
    extra = {d.id: e for d, e in projects}
    by_project = defaultdict(list)
    for p in parts:
        by_project[p.project_id].append(p)
    test = held_out_cases(projects, parts, args.n, args.n_industry, args.seed)
    dev = held_out_cases(projects, parts, 40, 10, args.dev_seed, exclude={d.id for d, _ in test})
    held = {d.id for d, _ in test} | {d.id for d, _ in dev}
    index = build_case_index(projects, parts, candidates, held, args.cache)
    print(
        f"index: {index.n_candidates} candidates, {len(index.project_ids)} projects, "
        f"{len(index.text_model.vocabulary)} terms; {len(held)} projects held out "
        f"({len(test)} test, {len(dev)} dev); {time.perf_counter() - t0:.1f}s"
    )
    if args.tune:
        tune(index, dev, by_project, extra)
        return
    results = defaultdict(list)
    heavy, sizes, ms = [], [], []
    for doc, is_heavy in test if args.part == "test" else dev:
        spec, true_ids = case_spec(index, doc, by_project, args.seed)
        if spec is None:
            continue
        query = query_of(doc, extra[doc.id])
        sims, q = project_similarities(index, query)
        for name, sc in method_scores(index, sims, q, int(doc.id)).items():
            t1 = time.perf_counter()
            sugg = build_consortium(index, query, spec, scores=sc, explain_members=False)
            if name == "engine":
                ms.append((time.perf_counter() - t1) * 1e3)
            assert sugg.feasible, (doc.id, sugg.problems)
            results[name].append(recalls(sugg, true_ids, spec.size))
        heavy.append(is_heavy)
        sizes.append(spec.size)
    heavy = np.array(heavy)
    print(
        f"true members in pool per project: median {int(np.median(sizes))} "
        f"(range {min(sizes)}-{max(sizes)}); engine consortium build p50 "
        f"{np.median(ms):.0f} ms"
    )
    report("All held-out health projects", results, np.ones(len(heavy), dtype=bool))
    report(f"Industry-heavy slice (>= {PRC_SHARE:.0%} PRC members)", results, heavy)
    report("Other projects", results, ~heavy)
    print(f"\ntotal {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()

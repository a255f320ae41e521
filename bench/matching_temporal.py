"""Programme history, simulated strictly by time on joint undertakings of Horizon Europe.

    PYTHONPATH=. python bench/matching_temporal.py [--tune] [--part report|tune] [--max-cases N]
        [--cache DIR]   # keep the index in DIR and load it next time (it never changes)

Every project of nine joint undertakings (JUs) is taken out of the pool. A case is one of
their projects with >= 8 members; it sees the pool plus the projects of its own JU's
strictly earlier calls (by year and call number of the call identifier: the programme's
history), never its own call, later ones or other JUs. Each case asks for a consortium of
its true size and sector mix (true members with a project the case may see), from its
title + objective + keywords, and we measure recall of the true members at K, 2K and 100.

Protocol: the JUs are split once. TUNE (Clean Hydrogen, SESAR, EuroHPC, Europe's Rail)
chooses the weights (``--tune``, with the Health-cluster dev sample of matching_eval.py);
REPORT (Global Health EDCTP3, Circular Bio-based Europe, Smart Networks and Services,
Clean Aviation, Chips with its predecessor KDT) is only ever reported. Methods: the engine
before this work (PREVIOUS_PARAMS), the engine now without history (new-nohist), TF-IDF
max with a small popularity prior, and popularity, all on the pool without the programme
(every JU project hidden); and the engine now (DEFAULT_PARAMS) on that pool plus the case's
history. All go through the same consortium builder with the same sector quotas.
Intervals: paired bootstrap, 95 %. ``--quick``: the two engines only.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

from bench.matching_cordis import load_participations, load_projects, make_candidates, require_data
from bench.matching_eval import paired_ci, recalls
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
from matching.types import ConsortiumSpec, HistoryRecord, ProgrammeHistory, TopicQuery
from services.organisations.cordis.programmes import call_order

JUS = {
    # tune part
    "Clean Hydrogen": ("HORIZON-JTI-CLEANH2",),
    "SESAR": ("HORIZON-SESAR",),
    "EuroHPC": ("HORIZON-EUROHPC-JU", "HORIZON-JU-EUROHPC"),
    "Europe's Rail": ("HORIZON-ER-JU", "HORIZON-JU-ER-"),
    # report part
    "Global Health EDCTP3": ("HORIZON-JU-GH-EDCTP3", "HORIZON-JU-EDCTP3"),
    "Circular Bio-based Europe": ("HORIZON-JU-CBE",),
    "Smart Networks and Services": ("HORIZON-JU-SNS",),
    "Clean Aviation": ("HORIZON-JU-Clean-Aviation",),
    "Chips (and KDT)": ("HORIZON-JU-Chips", "HORIZON-Chips", "HORIZON-KDT-JU"),
}
TUNE_JUS = ("Clean Hydrogen", "SESAR", "EuroHPC", "Europe's Rail")
MIN_MEMBERS = 8


def ju_of(call: str) -> str | None:
    up = call.upper()
    for name, prefixes in JUS.items():
        if any(up.startswith(p.upper()) for p in prefixes):
            return name
    return None


class World:
    """The pool, the index over every project, and each JU's projects by call order."""

    def __init__(self, cache: Path | None = None) -> None:
        t0 = time.perf_counter()
        self.projects = load_projects()
        self.parts = [p for p in load_participations() if p.role != "thirdParty"]
        self.extra = {d.id: e for d, e in self.projects}
        self.docs = {d.id: d for d, _ in self.projects}
        self.ju = {d.id: ju_of(d.call) for d, _ in self.projects}
        self.held = {pid for pid, j in self.ju.items() if j}
        self.members = defaultdict(list)
        for p in self.parts:
            self.members[p.project_id].append(p)
        self.index = cached_index(cache, self.projects, self.parts)
        print(
            f"index: {self.index.n_candidates} candidates, {len(self.index.project_ids)} "
            f"projects ({len(self.held)} of the JUs held out); {time.perf_counter() - t0:.0f}s"
        )

    def history(self, doc) -> ProgrammeHistory:
        """The case's view: its JU's strictly earlier calls; the rest of the JUs hidden."""
        mine, order = self.ju[doc.id], call_order(doc.call)
        earlier = [
            pid
            for pid in self.held
            if self.ju[pid] == mine
            and order is not None
            and (o := call_order(self.docs[pid].call)) is not None
            and o < order
        ]
        hidden = sorted(self.held - set(earlier))
        stats: dict[int, list] = defaultdict(lambda: [0, 0, 0])
        for pid in earlier:
            year = self.docs[pid].start_year or 0
            for p in self.members[pid]:
                s = stats[p.pic]
                s[0] += 1
                s[1] += p.role == "coordinator"
                s[2] = max(s[2], year)
        records = [HistoryRecord(pic, n, c, y or None) for pic, (n, c, y) in stats.items()]
        return ProgrammeHistory(records, sorted(earlier), hidden)

    def case(self, doc, history: ProgrammeHistory):
        index = self.index
        visible = np.ones(len(index.project_ids), dtype=np.float32)
        visible[[index.row_of_project[p] for p in history.hidden_project_ids]] = 0
        seen = index.incidence @ visible
        true_ids = sorted(
            {
                p.pic
                for p in self.members[doc.id]
                if p.pic in index.row_of and seen[index.row(p.pic)] > 0
            }
        )
        if len(true_ids) < 2:
            return None, []
        rows = [index.row(i) for i in true_ids]
        countries = {index.country[r] for r in rows if index.eligible[r]}
        spec = ConsortiumSpec(
            size=len(true_ids),
            sector_counts=dict(Counter(index.sector[r] for r in rows)),
            min_countries=min(3, len(countries)),
            require_eu_member=any(index.eu_member[r] for r in rows),
            alternates=max(100, 2 * len(true_ids)),
            alternates_per_seat=0,
        )
        return spec, true_ids

    def cases(self, part: str, max_cases: int | None):
        wanted = set(TUNE_JUS) if part == "tune" else set(JUS) - set(TUNE_JUS)
        out = [
            self.docs[pid]
            for pid in sorted(self.held)
            if self.ju[pid] in wanted and len(self.members[pid]) >= MIN_MEMBERS
        ]
        return out[:max_cases] if max_cases else out

    def query(self, doc, history) -> TopicQuery:
        return TopicQuery(doc.title, self.extra[doc.id]["objective"], doc.keywords, history)


def cached_index(cache: Path | None, projects, parts) -> ExpertiseIndex:
    """The index over every project, loaded from ``cache`` when it holds one (built once)."""
    if cache is not None and (cache / "meta.json").exists():
        return ExpertiseIndex.load(cache)
    pairs = [(p.pic, p.project_id) for p in parts]
    index = build_index([d for d, _ in projects], pairs, make_candidates(parts))
    if cache is not None:
        index.save(cache)
    return index


def method_scores(index, sims, q, history, bare, quick=False) -> dict[str, np.ndarray]:
    """bare: every JU project hidden, no records (the pool an engine without history has)."""
    sims, bare_sims = sims
    if quick:  # the two engines only
        return {
            "previous": combine_scores(index, bare_sims, q, PREVIOUS_PARAMS, bare),
            "new": combine_scores(index, sims, q, DEFAULT_PARAMS, history),
        }
    n_seen = score_terms(index, bare_sims, q, PREVIOUS_PARAMS, bare)["n_projects"]
    mx_params = replace(PREVIOUS_PARAMS, w_pnorm=0.0, w_inarea=0.0)
    mx = score_terms(index, bare_sims, q, mx_params, bare)
    return {
        "previous": combine_scores(index, bare_sims, q, PREVIOUS_PARAMS, bare),
        "new": combine_scores(index, sims, q, DEFAULT_PARAMS, history),
        "new-nohist": combine_scores(index, bare_sims, q, DEFAULT_PARAMS, bare),
        "tfidf+prior": mx["relevance"] + 0.01 * np.log1p(n_seen),
        "popularity": np.log1p(n_seen),
    }


def evaluate(world: World, docs, quick: bool = False) -> tuple[dict, list[str]]:
    index = world.index
    results: dict[str, list] = defaultdict(list)
    juses = []
    for doc in docs:
        history = world.history(doc)
        spec, true_ids = world.case(doc, history)
        if spec is None:
            continue
        # The pool without the programme (every JU project hidden): what an engine without
        # programme history has, as in the study this benchmark repeats.
        bare = ProgrammeHistory(hidden_project_ids=sorted(world.held))
        sims, q = project_similarities(index, world.query(doc, history))
        bare_sims = sims.copy()
        bare_sims[[index.row_of_project[p] for p in history.project_ids]] = 0.0
        for name, sc in method_scores(index, (sims, bare_sims), q, history, bare, quick).items():
            sugg = build_consortium(index, None, spec, scores=sc, explain_members=False)
            results[name].append(recalls(sugg, true_ids, spec.size))
        juses.append(world.ju[doc.id])
        if len(juses) % 40 == 0:  # a running figure for long runs
            done = ", ".join(f"{m} {np.array(r)[:, 0].mean():.3f}" for m, r in results.items())
            print(f"  after {len(juses)}: R@K {done}", flush=True)
    return results, juses


def print_table(title: str, results: dict, mask: np.ndarray, ref: str = "previous") -> None:
    print(f"\n{title} (n={int(mask.sum())} consortia)")
    print(f"{'method':<12} {'R@K':>6} {'R@2K':>6} {'R@100':>6}   new minus method, 95% CI")
    new = np.array(results["new"])[mask]
    for m in results:
        arr = np.array(results[m])[mask]
        line = f"{m:<12} " + " ".join(f"{arr[:, j].mean():6.3f}" for j in range(3))
        if m != "new":
            cis = [paired_ci(new[:, j], arr[:, j]) for j in range(3)]
            line += "   " + "  ".join(f"{d:+.3f} [{lo:+.3f},{hi:+.3f}]" for d, lo, hi in cis)
        print(line)


GRID = {
    "power": (3.0,),
    "w_area": (0.0, 0.05),
    "w_hist": (0.1, 0.3, 1.0),
    "w_coord": (0.0, 0.2),
    "w_recent": (0.0, 0.2),
    "w_hist_text": (0.0, 2.0),
}


def proxy(index, scores, spec, truth) -> tuple[float, float]:
    """Fast stand-in for the consortium: the best `n` of each sector, and the top 100."""
    order = np.argsort(-scores, kind="stable")[:3000]
    hit = 0
    for key, n in spec.sector_counts.items():
        sel = order[index.sector[order] == key][:n]
        hit += np.isin(truth, sel).sum()
    return hit / len(truth), float(np.isin(truth, order[:100]).mean())


def tune(world: World, max_cases: int | None) -> None:
    """Grid on the TUNE part only: prints the best settings by the proxy R@K + R@100."""
    index = world.index
    pre = defaultdict(list)
    for doc in world.cases("tune", max_cases):
        history = world.history(doc)
        spec, true_ids = world.case(doc, history)
        if spec is None:
            continue
        sims, q = project_similarities(index, world.query(doc, history))
        truth = np.array([index.row(i) for i in true_ids])
        for power in GRID["power"]:
            p = replace(DEFAULT_PARAMS, power=power)
            pre[power].append((spec, truth, score_terms(index, sims, q, p, history, every=True)))
    print(f"tune cases: {len(pre[GRID['power'][0]])}")
    rows = []
    keys = [k for k in GRID if k != "power"]
    for power in GRID["power"]:
        for values in product(*(GRID[k] for k in keys)):
            params = replace(DEFAULT_PARAMS, power=power, **dict(zip(keys, values, strict=True)))
            weights = term_weights(params)
            rk, r100 = [], []
            for spec, truth, terms in pre[power]:
                sc = sum(w * terms[k] for k, w in weights.items() if w and k in terms)
                a, b = proxy(index, sc, spec, truth)
                rk.append(a)
                r100.append(b)
            rows.append((np.mean(rk), np.mean(r100), params))
    rows.sort(key=lambda t: -(t[0] + 0.5 * t[1]))
    for a, b, params in rows[:10]:
        chosen = {k: getattr(params, k) for k in GRID}
        print(f"proxy R@K {a:.3f} R@100 {b:.3f}  {chosen}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", action="store_true", help="grid on the tune part")
    ap.add_argument("--part", choices=("report", "tune"), default="report")
    ap.add_argument("--max-cases", type=int, default=None)
    ap.add_argument("--cache", type=Path, help="keep the index here and reuse it next time")
    ap.add_argument("--quick", action="store_true", help="the previous and new engines only")
    args = ap.parse_args()
    require_data()
    t0 = time.perf_counter()
    world = World(args.cache)
    if args.tune:
        tune(world, args.max_cases)
        return
    docs = world.cases(args.part, args.max_cases)
    results, juses = evaluate(world, docs, args.quick)
    print(f"{args.part} part: {len(juses)} consortia; {Counter(juses)}")
    print_table(f"Joint undertakings, {args.part} part", results, np.ones(len(juses), bool))
    print(f"\ntotal {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()

"""Relevance of every candidate to a topic, in one vectorised pass, and its explanation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.history import history_reason, history_view
from matching.index import ExpertiseIndex
from matching.types import ConsortiumSpec, MemberExplanation, ProgrammeHistory, TopicQuery


@dataclass(frozen=True)
class ScoringParams:
    """Weights of the score; tuned on dev data only (bench/matching_temporal.py, matching_eval).

    With s = sim / max_sim over the projects the query may see (hidden ones left out):
    "sum": relevance = sum_p s^power (several relevant projects count for more than one);
    "pnorm" (the engine before the programme history): max_sim + w_pnorm * (sum_p
    sim^power)^(1/power) + w_inarea * log1p(#projects with sim >= in_area).
    Then + w_profile * profile_sim (/ max_sim in "sum") + w_prior * log1p(#projects)
    + w_area * log1p(#projects in the topic's research area) and, with a programme history,
    + w_hist * log1p(#earlier projects of the programme) + w_coord * log1p(#coordinated)
    + w_recent * [latest of them within recent_years of the newest] + w_hist_text *
    sum over those earlier projects of s^power.
    """

    aggregate: str = "pnorm"
    power: float = 3.0
    w_pnorm: float = 2.0
    in_area: float = 0.15
    w_inarea: float = 0.05
    w_prior: float = 0.0
    w_profile: float = 0.5
    w_network: float = 0.0
    network_seeds: int = 50
    w_area: float = 0.0
    area_top: int = 50  # most similar projects that vote for the topic's research area
    w_hist: float = 0.1
    w_coord: float = 0.0
    w_recent: float = 0.0
    recent_years: int = 1
    w_hist_text: float = 0.0


DEFAULT_PARAMS = ScoringParams()
ASSOCIATED_ONLY = "associated partner only in CORDIS (never a funded member)"
# The engine as it was before programme history and research areas (benchmarks compare).
PREVIOUS_PARAMS = ScoringParams(
    aggregate="pnorm", power=3.0, w_area=0.0, w_hist=0.0, w_coord=0.0, w_recent=0.0,
    w_hist_text=0.0,
)  # fmt: skip


def project_similarities(index: ExpertiseIndex, query: TopicQuery) -> tuple[np.ndarray, object]:
    """Cosine similarity of the query to every indexed project (0 for the projects its
    programme history hides), and the query vector."""
    q = index.text_model.transform([query.full_text()])
    if q.nnz == 0 or index.projects.shape[0] == 0:
        return np.zeros(index.projects.shape[0], dtype=np.float32), q
    cols = index.projects_csc[:, q.indices]
    sims = np.asarray(cols @ q.data).ravel().astype(np.float32)
    hidden = history_view(index, query.history).hidden
    if hidden is not None:
        sims[hidden] = 0.0
    return sims, q


def score_components(index: ExpertiseIndex, sims: np.ndarray, q) -> dict[str, np.ndarray]:
    inc = index.incidence
    n = index.n_candidates
    data = sims[inc.indices] if inc.nnz else np.zeros(0, dtype=np.float32)
    mx = np.zeros(n, dtype=np.float32)
    nonempty = np.diff(inc.indptr) > 0
    if inc.nnz:
        mx[nonempty] = np.maximum.reduceat(data, inc.indptr[:-1][nonempty])
    comps = {"max": mx, "sims_data": data}
    if index.has_profiles and q.nnz:
        comps["profile"] = np.asarray(index.profiles[:, q.indices] @ q.data).ravel()
    else:
        comps["profile"] = np.zeros(n, dtype=np.float32)
    return comps


def score_candidates(
    index: ExpertiseIndex, query: TopicQuery, params: ScoringParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Score of every candidate (aligned with index.candidates), >= 0."""
    sims, q = project_similarities(index, query)
    return combine_scores(index, sims, q, params, query.history)


def topic_area(index: ExpertiseIndex, sims: np.ndarray, top: int) -> int:
    """The research area (index.area_names position) whose projects are closest to the
    topic: the most similarity among its `top` most similar projects; -1 if none."""
    if not len(sims) or top <= 0 or float(sims.max()) <= 0:
        return -1
    k = min(top, len(sims))
    best = np.argpartition(-sims, k - 1)[:k]
    best = best[sims[best] > 0]
    mass = np.bincount(
        index.project_area[best], weights=sims[best], minlength=len(index.area_names)
    )
    if index.area_names and index.area_names[0] == "":
        mass[0] = 0.0  # projects without a call say nothing of the area
    return int(np.argmax(mass)) if mass.max() > 0 else -1


def term_weights(params: ScoringParams) -> dict[str, float]:
    """The weight of each term of ``score_terms`` (the relevance term counts once)."""
    return {
        "relevance": 1.0,
        "profile": params.w_profile,
        "prior": params.w_prior,
        "area": params.w_area,
        "hist": params.w_hist,
        "coord": params.w_coord,
        "recent": params.w_recent,
        "hist_text": params.w_hist_text,
    }


def score_terms(
    index: ExpertiseIndex,
    sims: np.ndarray,
    q,
    params: ScoringParams = DEFAULT_PARAMS,
    history: ProgrammeHistory | None = None,
    every: bool = False,
) -> dict[str, np.ndarray]:
    """The unweighted terms of the score (see ScoringParams); terms whose weight is 0 are
    left out unless ``every`` (benchmarks tune the weights on them)."""
    inc = index.incidence
    view = history_view(index, history)
    visible = view.visible_f32
    n_projects = index.n_projects if visible is None else inc @ visible
    weights = term_weights(params)
    wanted = {k for k, w in weights.items() if w or every}
    comps = score_components(index, sims, q)
    s = np.clip(sims, 0.0, None).astype(np.float64)
    terms: dict[str, np.ndarray] = {}
    if params.aggregate == "sum":
        top = float(s.max()) if len(s) else 0.0
        s = s / top if top > 0 else s
        sp_ = np.power(s, params.power)
        terms["relevance"] = inc @ sp_
        terms["profile"] = comps["profile"] / (top if top > 0 else 1.0)
    else:
        sp_ = np.power(s, params.power)
        pnorm = np.power(inc @ sp_, 1.0 / params.power)
        in_area = inc @ (s >= params.in_area).astype(np.float32)
        terms["relevance"] = (
            comps["max"] + params.w_pnorm * pnorm + params.w_inarea * np.log1p(in_area)
        )
        terms["profile"] = comps["profile"]
    terms["n_projects"] = n_projects
    if "prior" in wanted:
        terms["prior"] = np.log1p(n_projects)
    if "area" in wanted:
        area = topic_area(index, s, params.area_top)
        in_topic_area = np.zeros(len(s), dtype=np.float32)
        if area >= 0:
            in_topic_area[index.project_area == area] = 1.0
            if visible is not None:
                in_topic_area *= visible
        terms["area"] = np.log1p(inc @ in_topic_area)
    if view.records:
        terms["hist"] = np.log1p(view.projects)
        terms["coord"] = np.log1p(view.coord)
        terms["recent"] = view.recent(params.recent_years)
    if view.earlier is not None and "hist_text" in wanted:
        terms["hist_text"] = inc @ (sp_ * view.earlier)
    return terms


def combine_scores(
    index: ExpertiseIndex,
    sims: np.ndarray,
    q,
    params: ScoringParams = DEFAULT_PARAMS,
    history: ProgrammeHistory | None = None,
) -> np.ndarray:
    """Scores from precomputed project similarities (see project_similarities)."""
    terms = score_terms(index, sims, q, params, history)
    score = np.zeros(index.n_candidates, dtype=np.float64)
    for name, weight in term_weights(params).items():
        if weight and name in terms:
            score += weight * terms[name]
    inc = index.incidence
    if params.w_network and inc.nnz:
        k = min(params.network_seeds, len(score))
        seeds = np.argpartition(-score, k - 1)[:k]
        w = np.zeros_like(score)
        w[seeds] = score[seeds]
        co = inc @ (inc.T @ w) - terms["n_projects"] * w
        score = score + params.w_network * np.log1p(np.clip(co, 0, None))
    return score


@dataclass(frozen=True)
class QueryColumns:
    """The query's terms' columns of the project and profile matrices, by rows: taken
    once per query, so that explaining 25 members slices the big matrices once."""

    projects: sp.csr_matrix  # P x len(q.indices)
    profiles: sp.csr_matrix | None  # N x len(q.indices), None without profiles


def query_columns(index: ExpertiseIndex, q) -> QueryColumns:
    projects = sp.csr_matrix(index.projects_csc[:, q.indices])
    profiles = sp.csr_matrix(index.profiles[:, q.indices]) if index.has_profiles else None
    return QueryColumns(projects, profiles)


def _row_sums(m: sp.csr_matrix, rows: list[int], width: int) -> np.ndarray:
    """Sum of a few CSR rows as a dense vector, read straight off the arrays (slicing a
    scipy matrix per member cost more than the rest of an explanation)."""
    if not rows:
        return np.zeros(width, dtype=np.float64)
    spans = [slice(m.indptr[r], m.indptr[r + 1]) for r in rows]
    cols = np.concatenate([m.indices[s] for s in spans])
    vals = np.concatenate([m.data[s] for s in spans])
    return np.bincount(cols, weights=vals, minlength=width).astype(np.float64)


def explain(
    index: ExpertiseIndex,
    query: TopicQuery,
    candidate_id: int,
    k: int = 3,
    n_terms: int = 5,
    sims: np.ndarray | None = None,
    q=None,
    score: float | None = None,
    columns: QueryColumns | None = None,
) -> MemberExplanation:
    """Top-k projects of the candidate by similarity and the query terms they share."""
    if sims is None or q is None:
        sims, q = project_similarities(index, query)
    i = index.row(candidate_id)
    inc = index.incidence
    cols = inc.indices[inc.indptr[i] : inc.indptr[i + 1]]
    hidden = history_view(index, query.history).hidden
    if hidden is not None and len(hidden):  # the topic's own and later calls: never shown
        cols = np.setdiff1d(cols, hidden)
    # Best first; equal similarities by project id (index.project_rank is that order).
    order = cols[np.lexsort((index.project_rank[cols], -sims[cols]))][:k].tolist()
    top = [(index.project_ids[j], index.project_titles[j], round(float(sims[j]), 4)) for j in order]
    terms: list[str] = []
    if q.nnz:
        if columns is None:
            columns = query_columns(index, q)
        rows = [j for j in order if sims[j] > 0]
        contrib = _row_sums(columns.projects, rows, q.nnz) * q.data
        if columns.profiles is not None:
            contrib += _row_sums(columns.profiles, [i], q.nnz) * q.data
        shared = np.flatnonzero(contrib > 0)
        best = shared[np.lexsort((q.indices[shared], -contrib[shared]))][:n_terms]
        terms = [index.text_model.vocabulary[q.indices[t]] for t in best.tolist()]
    if score is None:
        score = float(combine_scores(index, sims, q, DEFAULT_PARAMS, query.history)[i])
    reasons = []
    if top and top[0][2] > 0:
        reasons.append(
            f"{len(cols)} past project(s); best match '{top[0][1]}' (similarity {top[0][2]:.2f})"
        )
    elif len(cols) == 0:
        reasons.append("no past projects in the index (newcomer)")
    if terms:
        reasons.append("shared terms: " + ", ".join(terms))
    said = history_reason(index, query.history, candidate_id)
    if said:
        reasons.append(said)
    if index.associated_only[i]:
        reasons.append(ASSOCIATED_ONLY)
    return MemberExplanation(candidate_id, float(score), top, terms, reasons)


def interest_bonus(index: ExpertiseIndex, scores: np.ndarray, spec: ConsortiumSpec) -> float:
    """The bonus an interested candidate gets in "prefer" mode: a share of the best score."""
    if spec.interest_mode != "prefer" or not spec.interested or not len(scores):
        return 0.0
    return float(spec.interest_bonus) * max(float(np.max(scores)), 0.0)


def with_interest(
    index: ExpertiseIndex, scores: np.ndarray, spec: ConsortiumSpec
) -> tuple[np.ndarray, float]:
    """Scores with the "prefer" bonus added to the interested candidates, and the bonus."""
    bonus = interest_bonus(index, scores, spec)
    if not bonus:
        return scores, 0.0
    rows = [index.row_of[int(c)] for c in spec.interested if int(c) in index.row_of]
    out = np.array(scores, dtype=np.float64)
    out[rows] += bonus
    return out, bonus


def interest_reason(spec: ConsortiumSpec, candidate_id: int, bonus: float) -> str:
    """What the explanation says of a candidate that expressed interest ("" otherwise)."""
    if spec.interest_mode == "ignore" or candidate_id not in set(spec.interested):
        return ""
    if spec.interest_mode == "prefer" and bonus:
        return f"expressed interest in this topic (+{bonus:.2f} score bonus)"
    return "expressed interest in this topic"

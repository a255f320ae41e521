"""Relevance of every candidate to a topic, in one vectorised pass, and its explanation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.index import ExpertiseIndex
from matching.types import ConsortiumSpec, MemberExplanation, TopicQuery


@dataclass(frozen=True)
class ScoringParams:
    """Weights of the score; defaults tuned on a CORDIS dev sample (bench/matching_eval.py).

    score = max_sim + w_pnorm * (sum_p sim^p)^(1/p) + w_inarea * log1p(#projects with
    sim >= in_area) + w_prior * log1p(#projects) + w_profile * profile_sim
    """

    power: float = 3.0
    w_pnorm: float = 2.0
    in_area: float = 0.15
    w_inarea: float = 0.05
    w_prior: float = 0.0
    w_profile: float = 0.5
    w_network: float = 0.0
    network_seeds: int = 50


DEFAULT_PARAMS = ScoringParams()


def project_similarities(index: ExpertiseIndex, query: TopicQuery) -> tuple[np.ndarray, object]:
    """Cosine similarity of the query to every indexed project, and the query vector."""
    q = index.text_model.transform([query.full_text()])
    if q.nnz == 0 or index.projects.shape[0] == 0:
        return np.zeros(index.projects.shape[0], dtype=np.float32), q
    cols = index.projects_csc[:, q.indices]
    sims = np.asarray(cols @ q.data).ravel().astype(np.float32)
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
    return combine_scores(index, sims, q, params)


def combine_scores(
    index: ExpertiseIndex, sims: np.ndarray, q, params: ScoringParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Scores from precomputed project similarities (see project_similarities)."""
    inc = index.incidence
    comps = score_components(index, sims, q)
    s = np.clip(sims, 0.0, None).astype(np.float64)
    pnorm = np.power(inc @ np.power(s, params.power), 1.0 / params.power)
    in_area = inc @ (s >= params.in_area).astype(np.float32)
    score = (
        comps["max"]
        + params.w_pnorm * pnorm
        + params.w_inarea * np.log1p(in_area)
        + params.w_prior * np.log1p(index.n_projects)
        + params.w_profile * comps["profile"]
    )
    score = np.asarray(score, dtype=np.float64)
    if params.w_network and inc.nnz:
        k = min(params.network_seeds, len(score))
        seeds = np.argpartition(-score, k - 1)[:k]
        w = np.zeros_like(score)
        w[seeds] = score[seeds]
        co = inc @ (inc.T @ w) - index.n_projects * w
        score = score + params.w_network * np.log1p(np.clip(co, 0, None))
    return score


def explain(
    index: ExpertiseIndex,
    query: TopicQuery,
    candidate_id: int,
    k: int = 3,
    n_terms: int = 5,
    sims: np.ndarray | None = None,
    q=None,
    score: float | None = None,
) -> MemberExplanation:
    """Top-k projects of the candidate by similarity and the query terms they share."""
    if sims is None or q is None:
        sims, q = project_similarities(index, query)
    i = index.row(candidate_id)
    inc = index.incidence
    cols = inc.indices[inc.indptr[i] : inc.indptr[i + 1]]
    order = sorted(cols.tolist(), key=lambda j: (-float(sims[j]), index.project_ids[j]))[:k]
    top = [(index.project_ids[j], index.project_titles[j], round(float(sims[j]), 4)) for j in order]
    terms: list[str] = []
    if q.nnz:
        contrib = np.zeros(q.nnz, dtype=np.float64)
        rows = [j for j in order if sims[j] > 0]
        if rows:
            block = index.projects_csc[:, q.indices][rows]
            contrib += np.asarray(block.sum(axis=0)).ravel() * q.data
        if index.has_profiles:
            contrib += index.profiles[i][:, q.indices].toarray().ravel() * q.data
        idx = np.lexsort((q.indices, -contrib))
        terms = [index.text_model.vocabulary[q.indices[t]] for t in idx if contrib[t] > 0]
        terms = terms[:n_terms]
    if score is None:
        score = float(combine_scores(index, sims, q, DEFAULT_PARAMS)[i])
    reasons = []
    if top and top[0][2] > 0:
        reasons.append(
            f"{int(index.n_projects[i])} past project(s); best match '{top[0][1]}' "
            f"(similarity {top[0][2]:.2f})"
        )
    elif index.n_projects[i] == 0:
        reasons.append("no past projects in the index (newcomer)")
    if terms:
        reasons.append("shared terms: " + ", ".join(terms))
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

"""A topic's programme history in index space, and how an explanation says it.

The services layer gathers the history (``matching.types.ProgrammeHistory``: records of the
candidates' parts in the programme's strictly earlier calls, those calls' projects, and the
projects of the topic's own and later calls to hide); this module turns it into arrays
aligned with the index once per query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.index import ExpertiseIndex
from matching.types import HistoryRecord, ProgrammeHistory

_CACHED_VIEWS = 4
_TIMES = {1: "once", 2: "twice"}


@dataclass
class HistoryView:
    hidden: np.ndarray | None  # project rows the query never sees
    visible_f32: np.ndarray | None  # 1.0 per visible project row (None: all visible)
    earlier: np.ndarray | None  # 1.0 per project row of the strictly earlier calls
    records: bool
    projects: np.ndarray  # per candidate row: earlier projects of the programme
    coord: np.ndarray  # per candidate row: of which coordinated
    latest: np.ndarray  # per candidate row: latest year (0 when none)
    rows: dict[int, int]  # candidate id -> row, for the candidates with a record

    def recent(self, years: int) -> np.ndarray:
        """1.0 where the candidate's latest part is within `years` of the newest one."""
        newest = int(self.latest.max()) if len(self.latest) else 0
        if newest <= 0:
            return np.zeros(len(self.latest))
        return (self.latest >= newest - years).astype(np.float64)


def _rows(index: ExpertiseIndex, ids: list[str]) -> np.ndarray:
    found = [index.row_of_project[p] for p in ids if p in index.row_of_project]
    return np.array(sorted(set(found)), dtype=np.int64)


def _build(index: ExpertiseIndex, history: ProgrammeHistory | None) -> HistoryView:
    n, n_proj = index.n_candidates, len(index.project_ids)
    projects, coord, latest = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
    if history is None:
        return HistoryView(None, None, None, False, projects, coord, latest, {})
    hidden = _rows(index, history.hidden_project_ids)
    visible = None
    if len(hidden):
        visible = np.ones(n_proj, dtype=np.float32)
        visible[hidden] = 0.0
    earlier = None
    rows = _rows(index, history.project_ids)
    if len(rows):
        earlier = np.zeros(n_proj, dtype=np.float64)
        earlier[rows] = 1.0
        if len(hidden):
            earlier[hidden] = 0.0  # a project both earlier and hidden stays hidden
    with_record: dict[int, int] = {}
    for rec in history.records:
        i = index.row_of.get(int(rec.candidate_id))
        if i is None or rec.projects <= 0:
            continue
        with_record[int(rec.candidate_id)] = i
        projects[i] += rec.projects
        coord[i] += rec.coordinated
        latest[i] = max(int(latest[i]), int(rec.latest_year or 0))
    return HistoryView(
        hidden if len(hidden) else None,
        visible,
        earlier,
        bool(with_record),
        projects,
        coord,
        latest,
        with_record,
    )


def history_view(index: ExpertiseIndex, history: ProgrammeHistory | None) -> HistoryView:
    """The history's arrays for this index, computed once per (index, history) pair."""
    if history is None:
        return _build(index, None)
    cache = index._cache.setdefault("history_views", [])
    for held, view in cache:
        if held is history:
            return view
    view = _build(index, history)
    cache.append((history, view))
    del cache[:-_CACHED_VIEWS]
    return view


def record_of(
    index: ExpertiseIndex, history: ProgrammeHistory | None, candidate_id: int
) -> HistoryRecord | None:
    """The candidate's records merged into one (None when it has no earlier part)."""
    view = history_view(index, history)
    i = view.rows.get(int(candidate_id))
    if i is None:
        return None
    latest = int(view.latest[i])
    return HistoryRecord(
        int(candidate_id), int(view.projects[i]), int(view.coord[i]), latest or None
    )


def history_reason(
    index: ExpertiseIndex, history: ProgrammeHistory | None, candidate_id: int
) -> str:
    """'took part in 3 earlier projects of this programme (latest 2024, coordinator once)'."""
    rec = record_of(index, history, candidate_id)
    if rec is None:
        return ""
    noun = "project" if rec.projects == 1 else "projects"
    details = []
    if rec.latest_year:
        details.append(f"latest {rec.latest_year}")
    if rec.coordinated:
        details.append(f"coordinator {_TIMES.get(rec.coordinated, f'{rec.coordinated} times')}")
    tail = f" ({', '.join(details)})" if details else ""
    return f"took part in {rec.projects} earlier {noun} of this programme{tail}"

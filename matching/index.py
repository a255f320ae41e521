"""The expertise index: project TF-IDF rows plus a sparse organisation->project incidence."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matching.sectors import SECTORS
from matching.text import TextModel
from matching.types import Candidate, ProjectDoc

FORMAT_VERSION = 3
# Version 1 has no project calls (no research areas then); before 3 no stop words (the
# query path then imports scikit-learn's) and the project matrix is stored by rows.
READABLE_VERSIONS = (1, 2, 3)
_AREA = re.compile(r"^(.*?)[-_](?:19|20)\d\d(?:[-_]|$)")


def area_of(call: str) -> str:
    """The research area of a call identifier: its part before the year, upper case
    (``HORIZON-HLTH-2023-DISEASE-03`` -> ``HORIZON-HLTH``, ``ERC-2021-STG`` -> ``ERC``)."""
    text = (call or "").strip()
    match = _AREA.match(text)
    return (match.group(1) if match else text).upper()


def project_text(doc: ProjectDoc) -> str:
    return " ".join([doc.title, doc.title, doc.text, " ".join(doc.keywords)])


def candidate_text(c: Candidate) -> str:
    return " ".join([" ".join(c.keywords), c.description])


def _codes(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    if len(values) == 0:
        return [], np.zeros(0, dtype=np.int64)
    names, code = np.unique(values.astype(str), return_inverse=True)
    return [str(x) for x in names], code.astype(np.int64)


@dataclass
class ExpertiseIndex:
    candidates: list[Candidate]
    project_ids: list[str]
    project_titles: list[str]
    project_years: np.ndarray  # int32, 0 when unknown
    text_model: TextModel
    projects: sp.csr_matrix | sp.csc_matrix  # P x V tf-idf, rows l2-normalised
    incidence: sp.csr_matrix  # N x P, 1.0 where the candidate took part
    profiles: sp.csr_matrix  # N x V tf-idf of the candidate's own keywords/description
    project_calls: list[str] = field(default_factory=list)  # call identifier per project
    _cache: dict = field(default_factory=dict, repr=False)

    # ---- derived arrays (cached) -------------------------------------------------------
    def __post_init__(self) -> None:
        c = self.candidates
        self.ids = np.array([x.id for x in c], dtype=np.int64)
        self.row_of = {int(x.id): i for i, x in enumerate(c)}
        self.sector = np.array([x.sector for x in c], dtype=object)
        self.country = np.array([x.country for x in c], dtype=object)
        self.is_sme = np.array([x.is_sme for x in c], dtype=bool)
        self.eu_member = np.array([x.eu_member for x in c], dtype=bool)
        self.eligible = np.array([x.eligible_country for x in c], dtype=bool)
        self.active = np.array([x.active_consortia for x in c], dtype=np.int64)
        # Integer codes for fast grouping (np.unique on object arrays is slow).
        self.country_names, self.country_code = _codes(self.country)
        self.sector_names, self.sector_code = _codes(self.sector)
        flags = (self.is_sme * 4 + self.eu_member * 2 + self.eligible).astype(np.int64)
        sc = self.sector_code * len(self.country_names) + self.country_code
        self.sector_country_code = sc
        self.class_code = sc * 8 + flags
        self.n_projects = np.diff(self.incidence.indptr).astype(np.float32)
        self.projects_csc = sp.csc_matrix(self.projects)  # no copy when it is one
        self.has_profiles = self.profiles.nnz > 0
        self.associated_only = np.array([x.associated_only for x in c], dtype=bool)
        calls = self.project_calls or [""] * len(self.project_ids)
        self.area_names, self.project_area = _codes(np.array([area_of(x) for x in calls]))
        self.row_of_project = {p: j for j, p in enumerate(self.project_ids)}

    @property
    def project_rank(self) -> np.ndarray:
        """Each project's position in project-id order (ties in explanations)."""
        if "project_rank" not in self._cache:
            rank = np.empty(len(self.project_ids), dtype=np.int64)
            rank[np.argsort(np.array(self.project_ids, dtype=str), kind="stable")] = np.arange(
                len(self.project_ids)
            )
            self._cache["project_rank"] = rank
        return self._cache["project_rank"]

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    def row(self, candidate_id: int) -> int:
        return self.row_of[int(candidate_id)]

    # ---- persistence (no pickle) --------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        sp.save_npz(d / "incidence.npz", self.incidence)
        sp.save_npz(d / "profiles.npz", self.profiles)
        # By columns, as queries read it; uncompressed: loading is then a plain read.
        sp.save_npz(d / "projects_csc.npz", self.projects_csc, compressed=False)
        np.savez(d / "arrays.npz", idf=self.text_model.idf, project_years=self.project_years)
        stop_words = self.text_model.stop_words
        meta = {
            "format_version": FORMAT_VERSION,
            "vocabulary": self.text_model.vocabulary,
            "stop_words": sorted(stop_words) if stop_words is not None else None,
            "project_ids": self.project_ids,
            "project_titles": self.project_titles,
            "project_calls": self.project_calls,
            "candidates": [asdict(c) for c in self.candidates],
        }
        (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> ExpertiseIndex:
        d = Path(directory)
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format_version") not in READABLE_VERSIONS:
            raise ValueError(f"unsupported index format {meta.get('format_version')!r}")
        arrays = np.load(d / "arrays.npz", allow_pickle=False)
        return cls(
            candidates=[Candidate(**c) for c in meta["candidates"]],
            project_ids=meta["project_ids"],
            project_titles=meta["project_titles"],
            project_years=arrays["project_years"],
            text_model=TextModel(meta["vocabulary"], arrays["idf"], meta.get("stop_words")),
            projects=_load_projects(d),
            incidence=sp.csr_matrix(sp.load_npz(d / "incidence.npz")),
            profiles=sp.csr_matrix(sp.load_npz(d / "profiles.npz")),
            project_calls=meta.get("project_calls", []),
        )


def _load_projects(d: Path) -> sp.csc_matrix:
    by_columns = d / "projects_csc.npz"
    if by_columns.exists():
        return sp.csc_matrix(sp.load_npz(by_columns))
    return sp.csc_matrix(sp.load_npz(d / "projects.npz"))  # format 1-2: by rows


def build_index(
    projects: Iterable[ProjectDoc],
    participations: Iterable[tuple[int, str]],
    candidates: list[Candidate],
    min_df: int = 2,
    max_df: float = 0.5,
) -> ExpertiseIndex:
    """Fit TF-IDF on the project texts and link candidates to their projects.

    Participations naming unknown candidates or projects are ignored; duplicate
    participations count once. Candidates are kept in the given order.
    """
    docs = list(projects)
    seen: set[str] = set()
    unique_docs = []
    for doc in docs:
        if doc.id not in seen:
            seen.add(doc.id)
            unique_docs.append(doc)
    docs = unique_docs
    bad = sorted({c.sector for c in candidates} - set(SECTORS))
    if bad:
        raise ValueError(f"unknown sector(s) {bad}; expected one of {SECTORS}")
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")

    texts = [project_text(d) for d in docs]
    if texts:
        model, x = TextModel.fit_transform(texts, min_df=min_df, max_df=max_df)
    else:
        model = TextModel([], np.zeros(0))
        x = sp.csr_matrix((0, 0), dtype=np.float32)  # type: ignore[arg-type]  # scipy-stubs lacks the empty (M, N) shape form

    prow = {d.id: j for j, d in enumerate(docs)}
    crow = {c.id: i for i, c in enumerate(candidates)}
    pairs = {(crow[cid], prow[pid]) for cid, pid in participations if cid in crow and pid in prow}
    if pairs:
        r, c = np.array(sorted(pairs), dtype=np.int64).T
    else:
        r = c = np.zeros(0, dtype=np.int64)
    inc = sp.csr_matrix(
        (np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(candidates), len(docs))
    )
    inc.sort_indices()

    ctexts = [candidate_text(c) for c in candidates]
    if any(t.strip() for t in ctexts) and model.vocabulary:
        prof = model.transform(ctexts)
    else:
        shape = (len(candidates), len(model.vocabulary))
        prof = sp.csr_matrix(shape, dtype=np.float32)  # type: ignore[arg-type]  # scipy-stubs lacks the empty (M, N) shape form

    return ExpertiseIndex(
        candidates=list(candidates),
        project_ids=[d.id for d in docs],
        project_titles=[d.title for d in docs],
        project_years=np.array([d.start_year or 0 for d in docs], dtype=np.int32),
        text_model=model,
        projects=x,
        incidence=inc,
        profiles=prof,
        project_calls=[d.call for d in docs],
    )

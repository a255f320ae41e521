"""Small synthetic indexes: a few themes, organisations in several sectors and countries."""

from __future__ import annotations

import random

from matching.types import Candidate, ProjectDoc

THEMES = {
    "diabetes": "diabetes insulin glucose pancreas beta cells metabolic obesity",
    "cancer": "cancer tumour oncology immunotherapy chemotherapy metastasis biopsy",
    "vaccine": "vaccine pertussis immunisation antigen adjuvant infection pathogen",
    "neuro": "alzheimer neurodegeneration dementia brain amyloid cognition parkinson",
    "ai": "machine learning artificial intelligence data platform federated analytics",
}
COUNTRIES = ["DE", "FR", "NL", "BE", "ES", "IT", "PT", "SE", "UK", "CH"]
NON_EU = {"UK", "CH"}
SECTORS = ["academia", "research", "industry", "sme", "public", "other", "patient"]


def make_data(n_orgs: int = 120, n_projects: int = 80, seed: int = 1):
    rng = random.Random(seed)
    themes = list(THEMES)
    projects = []
    for j in range(n_projects):
        t = themes[j % len(themes)]
        words = THEMES[t].split()
        text = " ".join(rng.choice(words) for _ in range(25)) + f" study {t}"
        projects.append(
            ProjectDoc(id=f"P{j:03d}", title=f"{t} project {j}", text=text, keywords=[t])
        )
    candidates, parts = [], []
    for i in range(n_orgs):
        sector = SECTORS[i % len(SECTORS)]
        country = COUNTRIES[(i // 7 + i // 70) % len(COUNTRIES)]
        candidates.append(
            Candidate(
                id=1000 + i,
                name=f"Org {i}",
                sector=sector,
                country=country,
                is_sme=sector == "sme",
                eu_member=country not in NON_EU,
                eligible_country=True,
                active_consortia=i % 4,
            )
        )
        theme = i % len(themes)
        for _ in range(rng.randint(0, 4)):
            j = rng.randrange(n_projects // len(themes)) * len(themes) + theme
            if rng.random() < 0.2:
                j = rng.randrange(n_projects)
            parts.append((1000 + i, f"P{j:03d}"))
    return projects, parts, candidates

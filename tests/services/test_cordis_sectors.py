"""An organisation's sector is its most frequent CORDIS activity type over every row of the
registry (ties: most recent project, then the CORDIS order), across imports; a sector set
by hand stays; the matching index and its explanations see the vote."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.scoring import ASSOCIATED_ONLY
from models import ImportRun, Organisation, Participation
from services.consortia import expertise_index as matching_index
from services.core.context import RequestContext
from services.organisations import cordis_import
from services.organisations import profiles as orgs
from tests.services import cordis_official as official
from webapp.cli.suggest import suggest_command

MIXED, LATEST, SAME_DAY, ASSOC, SHIFT, EDITED = (
    "999000011", "999000012", "999000013", "999000014", "999000015", "999000016"
)  # fmt: skip


def _project(pid: str, start: str, framework: str = "HORIZON") -> dict[str, str]:
    call = "HORIZON-CL1-2023-01"
    return official.project_row(pid, f"P{pid}", call, f"{call}-01", "HORIZON.2.1", framework,
                                start, "HORIZON-RIA", "100000")  # fmt: skip


def _row(pid: str, pic: str, activity: str, role: str = "participant") -> dict[str, str]:
    return official.org_row(pid, pic, f"ORG {pic}", activity, "BE", role, "9", "1000")


HE_PROJECTS = [
    _project("101112003", "2024-05-01"),
    _project("101112004", "2021-01-01"),
    _project("101112005", "2023-03-01"),  # the same day as 101112001
]
# (pid, pic, activityType, role) in file order: each organisation's first row loses the vote
HE_ROWS = [
    ("101112002", MIXED, "PRC"), ("101112001", MIXED, "HES"), ("101112003", MIXED, "HES"),
    ("101112004", LATEST, "HES"), ("101112003", LATEST, "PUB"),
    ("101112005", SAME_DAY, "PUB"), ("101112001", SAME_DAY, "REC"),
    ("101112001", ASSOC, "OTH", "associatedPartner"),
    ("101112002", ASSOC, "PUB", "associatedPartner"),
    ("101112003", ASSOC, "PUB", "associatedPartner"),
    ("101112001", SHIFT, "HES"), ("101112002", SHIFT, "HES"), ("101112003", SHIFT, "PRC"),
    ("101112001", EDITED, "HES"), ("101112002", EDITED, "HES"),
]  # fmt: skip
H2020_PROJECTS = [_project("945003", "2020-09-01", "H2020")]
H2020_ROWS = [
    ("945001", SHIFT, "PRC"), ("945002", SHIFT, "PRC"),
    ("945001", EDITED, "PRC"), ("945002", EDITED, "PRC"), ("945003", EDITED, "PRC"),
]  # fmt: skip


def _zip(folder: Path, kind: str, projects: list, rows: list) -> Path:
    base = official.members(kind)
    return official.write_zip(
        folder,
        kind,
        edit={
            "project.csv": base["project.csv"][1] + projects,
            "organization.csv": base["organization.csv"][1] + [_row(*r) for r in rows],
        },
    )


def _import(db: Session, download: Path) -> ImportRun:
    run = cordis_import.create_run(
        db, RequestContext(None), *cordis_import.resolve_download(download)
    )
    cordis_import.run_import(db, run.id)
    db.commit()
    assert run.status == "done" and not run.counts.get("rows_skipped"), run.counts
    return run


def _sectors(db: Session) -> dict[str, str]:
    db.expire_all()
    return {o.pic: o.sector for o in db.scalars(select(Organisation)) if o.pic}


def _written(run: ImportRun) -> int:
    return sum(v for k, v in run.counts.items() if k.endswith(("_created", "_updated")))


def test_majority_over_imports_and_a_sector_set_by_hand_kept(app, db, tmp_path, make_user):
    he = _zip(tmp_path / "he", "he", HE_PROJECTS, HE_ROWS)
    h2020 = _zip(tmp_path / "h2020", "h2020", H2020_PROJECTS, H2020_ROWS)
    first = _import(db, he)
    sectors = _sectors(db)
    assert sectors[MIXED] == "academia"  # 2 HES beat the PRC row listed first
    assert sectors[LATEST] == "public"  # 1-1: the 2024 project's PUB beats 2021's HES
    assert sectors[SAME_DAY] == "research"  # 1-1 on one start date: REC before PUB
    assert sectors[ASSOC] == "public"  # associated partners vote the same way
    assert sectors[SHIFT] == sectors[EDITED] == "academia"
    assert sectors[official.STARTUP] == "sme" and sectors[official.KI] == "academia"
    # the provisional first-row sectors of MIXED, LATEST, SAME_DAY and ASSOC corrected
    assert first.counts["organisation_sectors_updated"] == 4
    stored = db.scalars(
        select(Participation.activity_type)
        .join(Organisation)
        .where(Organisation.pic == MIXED)
        .order_by(Participation.project_id)
    )
    assert list(stored) == ["HES", "PRC", "HES"]

    admin = make_user("admin")
    edited = db.scalar(select(Organisation).where(Organisation.pic == EDITED))
    orgs.update_profile(db, RequestContext(admin), edited, {"sector": "research"})
    db.commit()
    assert edited.sector_by_hand

    second = _import(db, h2020)  # another download: SHIFT now has 3 PRC against 2 HES
    sectors = _sectors(db)
    assert sectors[SHIFT] == "industry"
    assert sectors[EDITED] == "research"  # 5 PRC rows now, but an admin chose
    assert sectors[MIXED] == "academia" and sectors[ASSOC] == "public"
    assert second.counts["organisation_sectors_updated"] == 1

    for download in (he, h2020):  # re-imports write nothing, whatever the order
        again = _import(db, download)
        assert _written(again) == 0, again.counts
    assert _sectors(db) == sectors


def test_a_new_import_of_one_file_can_move_the_majority_back(app, db, tmp_path):
    _import(db, _zip(tmp_path / "h2020", "h2020", [], H2020_ROWS[:2]))  # SHIFT: 2 PRC
    assert _sectors(db)[SHIFT] == "industry"
    run = _import(db, _zip(tmp_path / "he", "he", HE_PROJECTS, HE_ROWS))  # + 2 HES, 1 PRC
    assert _sectors(db)[SHIFT] == "industry"  # 3 PRC against 2 HES
    # the new MIXED, LATEST, SAME_DAY and ASSOC only: SHIFT stays industry
    assert run.counts["organisation_sectors_updated"] == 4
    rows = [*HE_ROWS, ("101112004", SHIFT, "HES"), ("101112005", SHIFT, "HES")]
    _import(db, _zip(tmp_path / "he2", "he", HE_PROJECTS, rows))  # a later HE download
    assert _sectors(db)[SHIFT] == "academia"  # 4 HES against 3 PRC


def _suggest(app, tmp_path: Path, body: dict) -> tuple[int, str, str]:
    path = tmp_path / "topic.json"
    path.write_text(json.dumps(body))
    with app.app_context():  # the command then uses the app's settings and runtime
        out = app.test_cli_runner().invoke(suggest_command, [str(path)])
    return out.exit_code, out.stdout, out.stderr


def test_the_index_and_explanations_see_the_voted_sector(app, db, settings, tmp_path):
    _import(db, _zip(tmp_path / "he", "he", HE_PROJECTS, HE_ROWS))
    assoc = db.scalar(select(Organisation).where(Organisation.pic == ASSOC))
    matching_index.build_now(db, RequestContext(None), settings.instance_path, "test")
    db.commit()
    version = matching_index.current_version(db)
    index = matching_index.load_index(version, settings.instance_path)
    row = index.row(assoc.id)
    assert index.sector[row] == "public" and index.associated_only[row]
    assert int((index.sector == "public").sum()) == 2  # ASSOC and LATEST
    body = {"title": "Biomarkers for disease", "text": "biomarkers disease", "size": 2,
            "sector_counts": {"public": 2}, "min_countries": 0}  # fmt: skip
    code, _out, err = _suggest(app, tmp_path, body)  # by default ASSOC takes no seat
    assert code == 1 and "only 1 public" in err
    code, out, err = _suggest(app, tmp_path, {**body, "associated_partners": "seats"})
    assert code == 0, err
    member = next(m for m in json.loads(out)["consortium"] if m["id"] == assoc.id)
    assert member["sector"] == "public" and ASSOCIATED_ONLY in member["why"]

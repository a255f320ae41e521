"""A topic's programme history (strictly earlier calls only) and associated partners."""

from __future__ import annotations

import datetime as dt
import json

import models
from services.consortia import expertise_index as matching_index
from services.consortia import match_requests as consortia
from services.consortia.history import programme_history
from services.core.context import RequestContext
from webapp.cli.suggest import suggest_command

IHI = "HORIZON-JU-IHI"
OWN_CALL = "HORIZON-JU-IHI-2024-08-two-stage"
# project id -> call; the first is the only one strictly before the topic's call
CALLS = {
    "ihi-2022": "HORIZON-JU-IHI-2022-01",
    "ihi-own": "HORIZON-JU-IHI-2024-08-two-stage",
    "ihi-same-key": "HORIZON-JU-IHI-2024-08",
    "ihi-2025": "HORIZON-JU-IHI-2025-01",
    "ihi-undated": "HORIZON-JU-IHI-SPECIAL",
}


def _lineage_projects(db, pool):
    """Vax University coordinated the earlier project; others joined the own/later calls."""
    by = pool["by_name"]
    for pid, call in CALLS.items():
        year = int(call[15:19]) if call[15:19].isdigit() else 2023
        db.add(
            models.CordisProject(
                id=pid,
                call=call,
                title="Pertussis vaccine adjuvant for infants",
                objective="pertussis vaccine adjuvant antigen immunogenicity infants",
                start_date=dt.date(year, 3, 1),
            )
        )
    db.flush()
    db.add(models.Participation(project_id="ihi-2022", organisation_id=by["Vax University"].id,
                                role="coordinator"))  # fmt: skip
    for pid, name in (
        ("ihi-own", "Nordic Vax"),
        ("ihi-same-key", "Nordic Vax"),
        ("ihi-2025", "Vaccine Academy"),
        ("ihi-undated", "Pertussis Centre"),
    ):
        db.add(
            models.Participation(project_id=pid, organisation_id=by[name].id, role="participant")
        )
    db.flush()


def _accepted(db, pool, world, identifier, org):
    """A consortium of an earlier (or later) call of the programme, accepted by ``org``."""
    call = models.Call(programme=world["programme"], identifier=identifier, title=identifier)
    topic = models.Topic(programme=world["programme"], sgg=world["sgg_a"], call=call, title="T")
    req = models.MatchRequest(topic=topic, input_hash=identifier, status="done", params={})
    db.add_all([call, topic, req])
    db.flush()
    db.add(models.SuggestedMember(request_id=req.id, organisation_id=org.id, rank=1, score=1.0,
                                  status="accepted"))  # fmt: skip
    db.flush()


def test_history_holds_strictly_earlier_calls_only(db, pool, world):
    _lineage_projects(db, pool)
    by = pool["by_name"]
    _accepted(db, pool, world, "HORIZON-JU-IHI-2023-05", by["Islet Research"])
    _accepted(db, pool, world, "HORIZON-JU-IHI-2024-08-x", by["Tau Biotech"])  # same call
    _accepted(db, pool, world, "OTHER-2020-01", by["Resist Uni"])  # another programme
    history = programme_history(db, [IHI], OWN_CALL)
    assert history.project_ids == ["ihi-2022"]
    assert history.hidden_project_ids == sorted(set(CALLS) - {"ihi-2022"})
    records = {r.candidate_id: r for r in history.records}
    assert set(records) == {by["Vax University"].id, by["Islet Research"].id}
    vax = records[by["Vax University"].id]
    assert (vax.projects, vax.coordinated, vax.latest_year) == (1, 1, 2022)
    assert records[by["Islet Research"].id].latest_year == 2023
    # The first call of a programme has no history; no call, or an undated one: none at all.
    first = programme_history(db, [IHI], "HORIZON-JU-IHI-2022-01")
    assert first.records == [] and first.project_ids == []
    assert programme_history(db, [IHI], "") is None
    assert programme_history(db, [], OWN_CALL) is None


def test_both_doors_take_the_history(app, db, pool, world, make_user, settings, tmp_path):
    """The web request from the topic's programme and call; the CLI from its JSON."""
    _lineage_projects(db, pool)
    world["programme"].lineage = IHI
    pool["topic"].call.identifier = OWN_CALL
    db.commit()
    matching_index.build_now(db, RequestContext(None), settings.instance_path, "test")
    db.commit()
    coord = make_user("coordinator")
    vax = pool["by_name"]["Vax University"]
    raw = {"size": 6, "must_include": [vax.id]}  # a member whatever the tie-breaks
    req, _ = consortia.request_match(db, RequestContext(coord), pool["topic"].id, raw)
    assert req.params["programme"] == [IHI] and req.params["call"] == OWN_CALL
    db.commit()
    consortia.run_match(db, RequestContext(None), req.id, settings.instance_path)
    db.commit()
    assert req.status == "done", req.error
    said = "took part in 1 earlier project of this programme (latest 2022, coordinator once)"
    why = {m.organisation.legal_name: m.explanation.get("reasons", []) for m in req.members}
    assert said in why["Vax University"]
    seen = {p[0] for m in req.members for p in m.explanation.get("top_projects", [])}
    assert not seen & (set(CALLS) - {"ihi-2022"})  # nothing of its own or later calls
    body = {"title": "Pertussis vaccine", "text": "adjuvant antigen infants", "size": 6,
            "programme": IHI, "call": OWN_CALL, "must_include": [vax.pic]}  # fmt: skip
    out = _suggest(app, tmp_path, body)
    assert out.exit_code == 0, out.stderr
    rows = {m["name"]: m["why"] for m in json.loads(out.stdout)["consortium"]}
    assert said in rows["Vax University"]
    assert not any("earlier project" in w for name, w in rows.items() if name != "Vax University")


def _suggest(app, tmp_path, body):
    path = tmp_path / "topic.json"
    path.write_text(json.dumps(body))
    with app.app_context():  # the command then uses the app's settings and runtime
        return app.test_cli_runner().invoke(suggest_command, [str(path)])


def test_associated_partners_option_decides_seats(app, db, pool, settings, tmp_path):
    us = pool["by_name"]["US Vaccines Inc"]
    for part in db.query(models.Participation).filter_by(organisation_id=us.id):
        part.role = "associatedPartner"
    db.commit()
    assert matching_index.associated_partners_only(db) == {us.id}
    matching_index.build_now(db, RequestContext(None), settings.instance_path, "test")
    db.commit()
    index = matching_index.load_index(matching_index.current_version(db), settings.instance_path)
    industry = int((index.sector == "industry").sum())  # all of them, US Vaccines Inc too
    body = {"title": "Pertussis vaccine", "text": "adjuvant antigen", "size": industry,
            "sector_counts": {"industry": industry}, "min_countries": 0}  # fmt: skip
    refused = _suggest(app, tmp_path, body)  # default: they take no seat
    assert refused.exit_code == 1 and f"only {industry - 1} industry" in refused.stderr
    seated = _suggest(app, tmp_path, {**body, "associated_partners": "seats"})
    assert seated.exit_code == 0, seated.stderr
    row = next(m for m in json.loads(seated.stdout)["consortium"] if m["id"] == us.id)
    assert "associated partner only in CORDIS" in row["why"]

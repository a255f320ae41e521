"""History people can read: audit entries as sentences, revision diffs that compare numbers
as numbers and texts word by word, the creation note kept, duplicate-title warnings."""

from __future__ import annotations

from datetime import UTC, datetime

from models import AuditEntry, TopicRevision
from services.core import history
from services.core.context import RequestContext
from services.topics import content as topics
from services.topics import revision_diff, revisions
from tests.topic_support import make_topic


def _entry(db, actor, action, **details) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        object_type="pledges",
        object_id=1,
        at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
        details=details,
    )
    db.add(entry)
    db.flush()
    return entry


def test_entries_read_as_sentences_with_actor_time_and_changed_fields_only(db, world, make_user):
    maria = make_user("coordinator", email="maria@example.org")
    maria.name = "Maria Rossi"
    rep = make_user(org_id=world["pharma"].id)
    confirmed = _entry(
        db,
        maria,
        "pledge.confirmed",
        changes={
            "status": {"old": "submitted", "new": "confirmed"},
            "eu_match": {"old": None, "new": "8000000.00"},
            "from_envelope": {"old": False, "new": False},
            "amount": {"old": "8000000", "new": "8000000.00"},
        },
    )
    odd = _entry(db, None, "pledge.teleported_home", changes={"flag": {"old": False, "new": True}})
    created = _entry(
        db,
        rep,
        "pledge.created",
        changes={
            "kind": {"old": None, "new": "fc"},
            "third_country_costs": {"old": None, "new": "0.00"},
            "note": {"old": None, "new": ""},
        },
    )
    lines = history.render(db, rep, [confirmed, odd, created], "Europe/Brussels")
    first, second, third = lines
    assert third.sentence == "You created the pledge"
    assert third.details == ["Kind: financial contribution (cash)"]  # no zero, no blank
    assert first.sentence == "Maria Rossi confirmed the pledge"
    assert first.when == "2 Dec 2026 14:05 (Europe/Brussels)"
    assert first.details == ["Status: submitted → confirmed", "EU match: EUR 8,000,000.00"]
    # An unknown key still reads as words; booleans in words; no raw key anywhere.
    assert second.sentence == "The system recorded “teleported home”"
    assert second.details == ["Flag: no → yes"]
    assert "pledge." not in " ".join([second.sentence, *second.details])


def test_actor_names_follow_what_the_viewer_may_see(db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    colleague = make_user(sgg_id=world["sgg_a"].id)
    outsider = make_user(org_id=world["uni"].id, org_role="applicant")
    coordinator = make_user("coordinator")
    assert history.actor_label(colleague, member) == member.name
    assert history.actor_label(coordinator, member) == member.name
    assert history.actor_label(member, member) == "You"
    assert history.actor_label(outsider, member) == "An SGG member"
    assert history.actor_label(outsider, coordinator) == coordinator.name
    assert history.actor_label(None, member) == "An SGG member"


def _revisions(db, world, before: dict, after: dict) -> tuple[TopicRevision, TopicRevision]:
    topic = make_topic(db, world, title="Diff", identifier=None)
    old = TopicRevision(topic_id=topic.id, number=1, snapshot=before)
    new = TopicRevision(topic_id=topic.id, number=2, snapshot=after)
    db.add_all([old, new])
    db.flush()
    return old, new


def test_diff_compares_numbers_as_numbers_and_texts_word_by_word(db, world):
    base = {
        "title": "Vaccines for pertussis",
        "eu_contribution": "8000000",
        "sme_share": "0.2",
        "duration_months": 60,
        "sector_targets": {"sme": "0.3", "academia": 6},
        "scope": "Develop a safer acellular vaccine for infants.",
        "area_id": world["area"].id,
    }
    same_numbers = {
        **base,
        "eu_contribution": "8000000.00",
        "sme_share": "0.2000",
        "sector_targets": {"academia": 6, "sme": "0.3000"},
    }
    old, new = _revisions(db, world, base, same_numbers)
    assert revision_diff.diff(db, old, new) == []
    changed = {
        **same_numbers,
        "eu_contribution": "9500000.00",
        "scope": "Develop a safer whole-cell vaccine for infants.",
    }
    old, new = _revisions(db, world, base, changed)
    diffs = {d.name: d for d in revision_diff.diff(db, old, new)}
    assert set(diffs) == {"eu_contribution", "scope"}
    money = diffs["eu_contribution"]
    assert (money.label, money.old, money.new) == (
        "Indicative EU contribution",
        "EUR 8,000,000.00",
        "EUR 9,500,000.00",
    )
    scope = [(s.kind, s.text) for s in diffs["scope"].segments]
    assert scope == [
        ("same", "Develop a safer "),
        ("del", "acellular"),
        ("ins", "whole-cell"),
        ("same", " vaccine for infants."),
    ]


def test_the_creation_note_is_kept_and_duplicate_titles_warn(db, world, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    other_sgg = make_user(sgg_id=world["sgg_b"].id)
    ctx = RequestContext(member)
    first = topics.create_topic(
        db, ctx, world["sgg_a"].id, topics.TopicContent(title="Pertussis  Vaccines"), "From JDRF"
    )
    assert revisions.revisions(db, first)[0].note == "From JDRF"
    second = topics.create_topic(
        db, ctx, world["sgg_a"].id, topics.TopicContent(title=" pertussis vaccines ")
    )
    assert revisions.revisions(db, second)[0].note == "Proposed"
    db.commit()
    warnings = topics.title_warnings(db, member, first.programme_id, second.title, second.id)
    assert len(warnings) == 1 and f"topic {first.id}" in warnings[0]
    # Editing the first to a different title: no warning; the edit still saved.
    assert topics.title_warnings(db, member, first.programme_id, "Other", first.id) == []
    # Someone who may not see those ideas (another SGG) is not told they exist.
    assert topics.proposal_warnings(db, other_sgg, world["sgg_b"].id, "PERTUSSIS VACCINES") == []

"""Programme settings: every rule validated, changes audited (old and new), and only new
decisions follow them (a confirmed pledge, a started review round, a match request keep
the values they were decided with)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEntry, MatchRequest
from services.core.context import RequestContext
from services.core.errors import InvalidInput, PermissionDenied
from services.pledges import decisions as pledge_decisions
from services.programmes import settings as rules
from tests.pledge_helpers import add_pledge, make_partner, make_topic


def _defaults(programme) -> rules.RulesInput:
    return rules.RulesInput.of(programme)


def test_the_form_shows_the_rules_in_words(world):
    shown = _defaults(world["programme"])
    assert shown.ikaa_max_share == "40" and shown.min_contribution_share == "45"
    assert shown.partner_envelope == "213,000,000.00" and shown.threshold_total == "10"
    assert shown.reminder_days == "14, 7, 1" and shown.timezone == "Europe/Brussels"


def test_a_change_is_saved_normalised_and_audited_old_and_new(db, world, make_user):
    admin = make_user("admin")
    programme = world["programme"]
    data = replace(
        _defaults(programme),
        threshold_each="3.5",
        matching_ratio="0.5",
        ikaa_max_share="35.5 %",
        partner_envelope="200,000,000",
        reminder_days="1, 30 ,7",
        review_days="21",
        review_reminder_days="2, 5",
        timezone="Europe/Lisbon",
    )
    ctx = RequestContext(admin, client_ip="10.0.0.9")
    changed = rules.update_rules(db, ctx, programme.id, data)
    db.commit()
    assert set(changed) == {
        "threshold_each", "matching_ratio", "ikaa_max_share", "partner_envelope",
        "reminder_days", "review_days", "review_reminder_days", "timezone",
    }  # fmt: skip
    assert programme.review_days == 21 and programme.review_reminder_days == "5,2"
    assert programme.ikaa_max_share == Decimal("0.3550")
    assert programme.reminder_days == "30,7,1" and programme.timezone == "Europe/Lisbon"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == rules.ACTION)).one()
    assert entry.actor_id == admin.id and entry.ip == "10.0.0.9"
    ratio = entry.details["changes"]["matching_ratio"]
    assert Decimal(ratio["old"]) == 1 and Decimal(ratio["new"]) == Decimal("0.5")
    lines = {(c.label, c.old, c.new, c.actor) for c in rules.history(db, admin, programme)}
    assert ("IKAA maximum share", "40 %", "35.5 %", admin.name) in lines
    assert ("Partner envelope", "EUR 213,000,000.00", "EUR 200,000,000.00", admin.name) in lines
    # Saving the same values again changes nothing and writes no audit row.
    same = rules.RulesInput.of(programme)
    assert rules.update_rules(db, RequestContext(admin), programme.id, same) == {}
    assert len(db.scalars(select(AuditEntry).where(AuditEntry.action == rules.ACTION)).all()) == 1


BAD = {
    "threshold_each": ("5.5", "half points"),
    "threshold_total": ("10.3", "half points"),
    "stage1_threshold_each": ("four", "number"),
    "matching_ratio": ("0", "more than 0"),
    "partner_envelope": ("-5", "negative"),
    "ikaa_max_share": ("101", "0 to 100"),
    "third_country_max_share": ("20.123", "2 decimals"),
    "min_contribution_share": ("", "number"),
    "min_consortium_size": ("2", "3 to 100"),
    "min_countries": ("3.5", "whole number"),
    "reminder_days": ("14, 0, x", "whole numbers"),
    "review_days": ("0", "1 to 365"),
    "review_reminder_days": ("3, 3", "once"),
    "timezone": ("Mars/Olympus", "not an IANA time zone"),
}


def test_every_bad_rule_is_named_and_nothing_changes(db, world, make_user):
    admin = make_user("admin")
    programme = world["programme"]
    data = replace(_defaults(programme), **{k: v for k, (v, _) in BAD.items()})
    with pytest.raises(InvalidInput) as err:
        rules.update_rules(db, RequestContext(admin), programme.id, data)
    assert set(err.value.field_errors) == set(BAD)
    for name, (_, words) in BAD.items():
        assert words in " ".join(err.value.field_errors[name]), name
    db.rollback()
    assert programme.threshold_each == Decimal("3") and programme.timezone == "Europe/Brussels"
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == rules.ACTION)).all() == []


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("reminder_days", "7, 7", "once"),
        ("reminder_days", "400", "1 to 365"),
        ("reminder_days", ",".join(str(d) for d in range(1, 12)), "At most 10"),
        ("timezone", "", "not an IANA time zone"),
        ("min_countries", "9", "at most 3"),
    ],
)
def test_lists_zones_and_cross_field_rules(db, world, make_user, field, value, words):
    data = replace(_defaults(world["programme"]), **{field: value})
    with pytest.raises(InvalidInput) as err:
        rules.update_rules(db, RequestContext(make_user("admin")), world["programme"].id, data)
    assert words in err.value.field_errors[field][0]


def test_no_reminders_is_an_empty_list(db, world, make_user):
    data = replace(_defaults(world["programme"]), reminder_days=" ")
    rules.update_rules(db, RequestContext(make_user("admin")), world["programme"].id, data)
    assert world["programme"].reminder_days == ""


def test_only_admins_change_settings(db, world, make_user):
    data = _defaults(world["programme"])
    for role in ("coordinator", "viewer"):
        with pytest.raises(PermissionDenied):
            rules.update_rules(db, RequestContext(make_user(role)), world["programme"].id, data)


def test_new_decisions_only(db, world, make_user):
    """A confirmed pledge keeps its match; the envelope never drops below what was drawn;
    a match request keeps the consortium rules it was asked under."""
    admin, coord = make_user("admin"), make_user("coordinator")
    programme = world["programme"]
    topic = make_topic(db, world)
    partner = make_partner(db, programme)
    first = add_pledge(db, topic, partner, "1000.00")
    pledge_decisions.confirm_pledge(db, RequestContext(coord), first.id)
    old_request = MatchRequest(topic=topic, min_consortium_size=3, min_countries=3)
    db.commit()
    data = replace(
        _defaults(programme), matching_ratio="0.5", min_consortium_size="8", min_countries="5"
    )
    rules.update_rules(db, RequestContext(admin), programme.id, data)
    db.commit()
    assert first.eu_match == Decimal("1000.00")  # not re-evaluated
    second = add_pledge(db, topic, partner, "1000.00")
    assert pledge_decisions.confirm_pledge(
        db, RequestContext(coord), second.id
    ).pledge.eu_match == Decimal("500.00")
    db.commit()
    assert old_request.consortium_rules == (3, 3)
    assert MatchRequest(topic=topic).consortium_rules == (8, 5)  # a request made from now on
    too_small = replace(_defaults(programme), partner_envelope="1499.99")
    with pytest.raises(InvalidInput) as err:
        rules.update_rules(db, RequestContext(admin), programme.id, too_small)
    assert "EUR 1,500.00" in err.value.field_errors["partner_envelope"][0]
    db.rollback()
    exact = replace(_defaults(programme), partner_envelope="1500")
    rules.update_rules(db, RequestContext(admin), programme.id, exact)
    assert programme.partner_envelope == Decimal("1500.00")
    db.rollback()

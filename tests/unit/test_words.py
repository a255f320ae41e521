"""The words for stored codes (services/core/words.py): every state the models allow has its
words, plural forms, and the humanised fallback."""

from __future__ import annotations

import pytest

from models import (
    accounts,
    consortia,
    contacts,
    cordis,
    notifications,
    organisations,
    partners,
    pledges,
    programmes,
    topic_work,
    topics,
)
from services.core import words

# Each kind of WORDS and the codes its column may hold (the models' CHECK constraints).
KINDS = {
    "topic": topics.TOPIC_STATES,
    "pledge": pledges.PLEDGE_STATES,
    "application": partners.APPLICATION_STATES,
    "join": contacts.JOIN_STATES,
    "match": consortia.MATCH_STATES,
    "import": cordis.IMPORT_STATES,
    "member": consortia.MEMBER_STATES,
    "invitation": consortia.INVITATION_STATES,
    "index": consortia.INDEX_STATES,
    "coi": topic_work.COI_STATES,
    "outbox": notifications.OUTBOX_STATES,
    "task": notifications.TASK_RUN_STATES,
    "call_type": programmes.CALL_TYPES,
    "partner_type": organisations.PARTNER_TYPES,
    "pledge_kind": pledges.PLEDGE_KINDS,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_code_a_column_may_hold_has_words(kind):
    assert set(words.WORDS[kind]) == set(KINDS[kind])
    for code in KINDS[kind]:
        text = words.word(code, kind)
        assert text and text[0].isupper() and "_" not in text, (kind, code, text)


def test_topic_states_read_as_words():
    assert words.word("stage1_open", "topic") == "Stage 1 open"
    assert words.word("published", "topic") == "Published in a call"
    assert words.word(None, "topic") == "—"


def test_every_role_has_words():
    for code in (*accounts.GLOBAL_ROLES, *accounts.ORG_ROLES, "sgg", "reviewer"):
        assert words.role_word(code) != code
    assert words.role_word("partner_rep") == "Partner representative"
    assert words.role_word("reviewer") == "Programme reviewer"


def test_an_unknown_code_is_humanised_not_a_failure():
    assert words.word("stage3_pending", "topic") == "Stage 3 pending"
    assert words.role_word("auditor") == "Auditor"


@pytest.mark.parametrize(
    ("count", "singular", "irregular", "expected"),
    [
        (1, "application", None, "1 application"),
        (2, "application", None, "2 applications"),
        (0, "topic", None, "0 topics"),
        (1, "topic", None, "1 topic"),
        (3, "match", None, "3 matches"),
        (2, "country", None, "2 countries"),
        (2, "day", None, "2 days"),
        (1, "consortium", "consortia", "1 consortium"),
        (5, "consortium", "consortia", "5 consortia"),
        (12345, "organisation", None, "12,345 organisations"),
    ],
)
def test_plural(count, singular, irregular, expected):
    assert words.plural(count, singular, irregular) == expected


def test_sentence_keeps_the_rest_as_written():
    assert words.sentence("send back to the SGG") == "Send back to the SGG"
    assert words.sentence("") == ""

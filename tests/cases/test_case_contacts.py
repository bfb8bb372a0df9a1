"""Who an escalation goes to is read from the playbook: topic owners, situations, keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from repapp.cases.operations import choose_contact, suggest_topic
from repapp.cases.tokens import TokenExpired, TokenInvalid, make_token, read_token
from repapp.playbooks.loader import load_playbook_file, load_playbook_text

MINIMAL = Path(__file__).resolve().parents[1] / "playbooks" / "minimal.yaml"


@pytest.fixture(scope="module")
def playbook():
    """The minimal example: a lawyer (topic legal) and a sales head (topic sales); accusations go to the lawyer."""
    return load_playbook_file(MINIMAL)


@pytest.mark.parametrize("text, topic, expected", [
    ("", "sales", "sales-head"),                      # the topic's owner, whatever the text says
    ("Меня обманули!", None, "lawyer"),                # a standard situation names its contact
    ("Вот моя претензия", None, "lawyer"),            # the legal topic's keywords
    ("Сколько стоит седан?", None, "sales-head"),      # the sales topic's pattern
    ("Хорошая погода", None, None),                    # nobody: the representative chooses
], ids=["topic", "situation", "topic-keyword", "topic-pattern", "nobody"])
def test_choose_contact(playbook, text, topic, expected):
    """The suggestion follows the playbook; no match suggests nobody rather than guessing."""
    contact = choose_contact(playbook, text, topic=topic)
    assert (contact.id if contact else None) == expected


def test_contact_keywords_come_before_topics():
    """A contact's own keywords win over a topic that another contact owns."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    topics: [legal]\n", "    topics: [legal]\n    keywords: [договор]\n", 1)
    playbook = load_playbook_text(text)
    assert choose_contact(playbook, "Какая цена по договору?").id == "lawyer"


def test_suggest_topic(playbook):
    """The first topic whose keywords or patterns occur is suggested."""
    assert suggest_topic(playbook, "Какая цена?") == "sales"
    assert suggest_topic(playbook, "Привет") is None


def test_tokens_are_signed_expiring_and_bound_to_the_key():
    """A token reads back its escalation and nonce; a stale, tampered or foreign one is refused."""
    from datetime import timedelta

    from repapp.models import utcnow

    key = "k" * 40
    token = make_token(key, 7, "nonce-1")
    assert read_token(key, token).escalation_id == 7 and read_token(key, token).nonce == "nonce-1"
    old = make_token(key, 7, "nonce-1", now=utcnow() - timedelta(days=15))
    with pytest.raises(TokenExpired):
        read_token(key, old)
    assert read_token(key, old, max_age=timedelta(days=30)).escalation_id == 7
    with pytest.raises(TokenInvalid):
        read_token(key, token[:-2] + "xx")
    with pytest.raises(TokenInvalid):
        read_token("j" * 40, token)

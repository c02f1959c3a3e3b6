"""The policy beyond English (issue 14): word lists per language, and comments no model reads are held."""

from __future__ import annotations

import pytest

from threadwise.model import Comment, Finding
from threadwise.policy import InvalidPolicy, load_policy, parse_policy, suggest

LANGUAGES = ("de", "es", "fr", "it", "nl", "pl", "pt")
THREATS = {
    "de": "Pass bloß auf, ich bring dich um.", "es": "Cállate o te voy a matar.", "fr": "Fais gaffe, je vais te tuer.",
    "it": "Stai attento, ti ammazzo.", "nl": "Let op je woorden, ik maak je af.", "pl": "Uważaj, bo zabiję cię.",
    "pt": "Fica esperto, vou te matar.",
}


def comment(text: str) -> Comment:
    return Comment(id="c1", thread_id="t1", text=text, position=0)


def toxicity_finding(label: str, score: float, **detail: object) -> Finding:
    return Finding("c1", "toxicity", "ml-1.0.0", label, score, detail=detail)


@pytest.mark.parametrize("language", LANGUAGES)
def test_default_policy_holds_a_threat_in_each_language_with_the_phrase_as_evidence(language: str) -> None:
    text = THREATS[language]
    suggestion = suggest(load_policy(), comment(text), [toxicity_finding("toxicity", 0.1, language=language)])
    assert suggestion.action == "review"
    (span,) = suggestion.evidence
    assert suggestion.deciding is not None and suggestion.deciding.rule == "words.suspect"
    assert text[span.start : span.end].lower() in THREATS[language].lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_threat_and_slur_lists(language: str) -> None:
    policy = load_policy()
    assert policy.words.match(THREATS[language], language)
    assert not policy.words.match(THREATS[language], "en"), "lists are scoped to their language"


def test_word_lists_see_through_evasion_in_other_languages() -> None:
    policy = load_policy()
    (hit,) = policy.words.match("ich  br1ng  d\u0456ch  um!!", "de")  # leet and a Cyrillic i
    assert hit.entry == "ich bring dich um" or hit.entry == "bring dich um"
    assert policy.words.match("eres un m4ric0n", "es")[0].entry == "maricón"


def test_word_lists_follow_the_language_the_model_read() -> None:
    policy = load_policy()
    german = suggest(policy, comment("Ich bring dich um"), [toxicity_finding("toxicity", 0.1, language="de")])
    english_read = suggest(policy, comment("Ich bring dich um"), [])
    assert german.action == "review" and english_read.action == "approve"


def test_unsupported_language_is_held_for_review_with_the_language_named() -> None:
    finding = toxicity_finding("language_unsupported", 1.0, language="uk", language_confidence=0.99)
    suggestion = suggest(load_policy(), comment("Ти просто ідіот"), [finding])
    assert suggestion.action == "review"
    assert "Ukrainian (uk)" in suggestion.reason and "held for a person" in suggestion.reason


def test_an_unreadable_script_from_the_english_model_is_held_too() -> None:
    finding = Finding("c1", "toxicity", "1.1.0", "language_unsupported", 1.0, detail={"latin_share": 0.0})
    assert suggest(load_policy(), comment("これは宣伝です"), [finding]).action == "review"


def test_a_policy_cannot_approve_comments_in_unread_languages() -> None:
    with pytest.raises(InvalidPolicy, match="unsupported_action"):
        parse_policy({"languages": {"unsupported_action": "approve"}})
    with pytest.raises(InvalidPolicy, match="unknown keys"):
        parse_policy({"languages": {"approve_russian": True}})
    assert parse_policy({"languages": {"unsupported_action": "reject"}}).unsupported_language_action == "reject"
    assert parse_policy({}).unsupported_language_action == "review"

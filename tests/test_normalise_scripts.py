"""The evasion normaliser on either script (issue 14): Cyrillic lookalikes in Latin words and Latin
lookalikes in Cyrillic words are written in the word's own script; genuine words of either stay as they are."""

from __future__ import annotations

import pytest

from threadwise.analysers.normalise import normalise
from threadwise.policy import parse_policy

CYRILLIC_I, CYRILLIC_O, CYRILLIC_A = "\u0456", "\u043e", "\u0430"


@pytest.mark.parametrize(("written", "expected"), [
    (f"you {CYRILLIC_I}d{CYRILLIC_I}ot", "you idiot"),  # a Cyrillic i (U+0456) in a Latin word
    (f"du {CYRILLIC_I}d{CYRILLIC_I}{CYRILLIC_O}t", "du idiot"),  # 3 Cyrillic lookalikes, 2 Latin: Latin
    ("ты идиoт", "ты идиот"),  # a Latin o in a Cyrillic word
    ("ну ты и дуpaк", "ну ты и дурак"),  # Latin p and a
])
def test_normalise_writes_lookalikes_in_the_words_script(written: str, expected: str) -> None:
    assert normalise(written).text == expected


def test_normalise_undoes_latin_lookalikes_and_leet_inside_cyrillic_words() -> None:
    assert normalise("Ты пpoстo идиoт").text == "ты просто идиот"  # Latin p and o
    assert normalise("ты ид10т").text == f"ты ид{CYRILLIC_I}от"  # leet 1 and 0, then written in Cyrillic
    assert normalise("cука").text == "сука"  # Latin c opening a Cyrillic word


def test_normalise_leaves_genuine_russian_words_alone() -> None:
    text = "У нас в городе с утра сок и кофе"  # u, v, s and "sok" are spelt only with lookalike letters
    assert normalise(text).text == text.lower()


def test_normalise_turns_an_all_lookalike_cyrillic_word_in_english_text_latin() -> None:
    written = f"you are a m{CYRILLIC_O}r{CYRILLIC_O}n and a sc{CYRILLIC_A}m"
    assert normalise(written).text == "you are a moron and a scam"
    assert normalise("\u0441\u043e\u0441 this").text == "coc this"  # every letter a lookalike, text Latin


def test_normalise_maps_offsets_back_to_the_written_word_in_either_script() -> None:
    written = "ну ты и идиoт, честно"
    norm = normalise(written)
    start = norm.text.index("идиот")
    assert norm.to_original(start, start + 5) == (written.index("идиoт"), written.index("идиoт") + 5)


def test_word_lists_match_across_scripts_both_ways() -> None:
    policy = parse_policy({"words": {"ru": {"suspect": ["убью тебя"]}, "de": {"suspect": ["bring dich um"]}}})
    (ru,) = policy.words.match("я тебя нaйду и убью тeбя", "ru")  # Latin a and e slipped in
    assert ru.entry == "убью тебя"
    (de,) = policy.words.match(f"ich bring d{CYRILLIC_I}ch um", "de")  # a Cyrillic i slipped in
    assert de.entry == "bring dich um"

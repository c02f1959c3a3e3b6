"""Evasion normalisation: what it undoes, what it leaves alone, and that offsets always map back inside."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadwise.analysers.normalise import latin_share, normalise


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("y0u 1d10t", "you idiot"),
        ("y0u @re a c0mplete 1d10t!!!", "you are a complete idiot!!!"),
        ("i d i o t", "idiot"),
        ("f.u.c.k off", "fuck off"),
        ("\u0456d\u0456ot", "idiot"),  # Cyrillic i (U+0456)
        ("id\u200biot", "idiot"),  # zero-width space
        ("i\u0301d\u0308i\u0300o\u0303t", "idiot"),  # combining marks
        ("stuuuuupid", "stupid"),
        ("ＩＤＩＯＴ", "idiot"),  # fullwidth (NFKC)
        ("sh!t head", "shit head"),
        ("You are an IDIOT.", "you are an idiot."),
    ],
)
def test_undoes_evasion(written: str, expected: str) -> None:
    assert normalise(written).text == expected


@pytest.mark.parametrize(
    "text",
    ["500,000 died in 1990s", "It costs $5m", "Это пропаганда", "good book, all week", "I am a fan of A B testing"],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert normalise(text).text == text.lower()
    assert not normalise(text).changed


@pytest.mark.parametrize(
    ("written", "word"),
    [("you are a 1d10t ok", "1d10t"), ("you are a i d i o t ok", "i d i o t"),
     ("you are a \u0456d\u0456ot ok", "\u0456d\u0456ot"), ("you are a id\u200biot ok", "id\u200biot"),
     ("you are a stuuuupid one", "stuuuupid")],
)  # fmt: skip
def test_span_maps_back_to_the_written_word(written: str, word: str) -> None:
    norm = normalise(written)
    target = "stupid" if "stu" in word else "idiot"
    start = norm.text.index(target)
    lo, hi = norm.to_original(start, start + len(target))
    assert written[lo:hi] == word


def test_limit_caps_the_text_read() -> None:
    norm = normalise("word " * 20_000, limit=5000)
    assert len(norm.original) == 5000 and max(norm.offsets) < 5000


def test_latin_share() -> None:
    assert latin_share("hello world") == 1.0
    assert latin_share("Это пропаганда") == 0.0
    assert latin_share("😀😀 🔥") == 0.0
    assert latin_share("café crème") == 1.0


_HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("0134@$57!| .-_*aeiouxyz\u200b\u0301\u0456\u03bf\ufb01ＩstuuuuA")),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=_HOSTILE, data=st.data())
def test_offsets_always_map_inside_the_original(text: str, data: st.DataObject) -> None:
    norm = normalise(text)
    assert len(norm.offsets) == len(norm.text)
    assert list(norm.offsets) == sorted(norm.offsets)
    assert all(0 <= o < len(text) for o in norm.offsets)
    start = data.draw(st.integers(0, len(norm.text)))
    end = data.draw(st.integers(start, len(norm.text) + 3))
    lo, hi = norm.to_original(start, end)
    assert 0 <= lo <= hi <= len(text)
    if start < end <= len(norm.text):
        assert hi > lo  # a non-empty normalised span never maps to nothing

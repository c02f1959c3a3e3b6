"""Evasion normalisation: what it undoes, what it leaves alone, and that offsets always map back inside."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadwise.analysers.normalise import CACHED_CHARS, _normalise, _normalise_cached, latin_share, normalise


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


@settings(max_examples=200, deadline=None)
@given(text=_HOSTILE, limit=st.one_of(st.none(), st.integers(0, 40)))
def test_a_kept_result_is_the_one_computed_afresh(text: str, limit: int | None) -> None:
    original = text if limit is None else text[:limit]
    assert normalise(text, limit) == _normalise(original) == normalise(text, limit)  # cold, then from the cache


def test_one_comment_is_normalised_once_by_the_model_and_the_word_lists_together() -> None:
    from threadwise.api.moderator import Moderator
    from threadwise.model import Article, Comment

    moderator = Moderator.load(accurate=False)
    text = "Y0u are a c0mplete 1d10t, councillor, and your plan is a scam."
    comment = Comment(id="c-once", thread_id="t-once", text=text, position=0)
    _normalise_cached.cache_clear()
    suggestion, findings = moderator.assess(Article(id="t-once"), comment)
    info = _normalise_cached.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # the toxicity model's reading, then the word lists' reuse of it
    assert any(f.label == "insult" for f in findings) and suggestion.action != "approve"
    _normalise_cached.cache_clear()
    again, _ = Moderator.load(accurate=False).assess(Article(id="t-once"), comment)
    assert again == suggestion


def test_long_texts_are_not_kept() -> None:
    _normalise_cached.cache_clear()
    long = "idiot " * (CACHED_CHARS // 6 + 1)
    assert normalise(long).text == _normalise(long).text and _normalise_cached.cache_info().currsize == 0
    assert normalise(long, CACHED_CHARS).original == long[:CACHED_CHARS]
    assert _normalise_cached.cache_info().currsize == 1  # cut to the limit, it is short enough to keep

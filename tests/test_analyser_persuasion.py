"""The persuasion analyser: contract, spans on hand-written comments, the pattern layer, articles, edge input."""

from __future__ import annotations

import pickle

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.persuasion import (
    LABELS,
    PersuasionAnalyser,
    analyse_article,
    decode_runs,
    sentence_spans,
)
from threadwise.model import Article, Comment, Finding

ARTICLE = Article(
    id="a1",
    title="The ceasefire",
    paragraphs=(
        "Three winters into the war, the front line has barely moved.",
        "Our brave soldiers defend every inch of this great nation against the barbaric, murderous invaders.",
        "Critics will call this appeasement. It is not.",
    ),
)


def _analyse(text: str, **params: object) -> list[Finding]:
    context = CommentContext(Comment(id="c", thread_id="a1", text=text, position=0), ARTICLE)
    return list(PersuasionAnalyser(**params).setup().analyse([context]))  # type: ignore[arg-type]


def _covering(findings: list[Finding], text: str, word: str, label: str) -> list[Finding]:
    at = text.index(word)
    return [f for f in findings if f.label == label
            and any(s.start <= at and at + len(word) <= s.end for s in f.spans)]


def test_conformance() -> None:
    findings = check_analyser(PersuasionAnalyser())
    assert {f.comment_id for f in findings} >= {"c1", "c2"}  # "just like 1938", "What about ..."
    assert "c3" not in {f.comment_id for f in findings if f.score >= 0.5}  # the calm agreement


def test_name_calling_span_covers_the_insult() -> None:
    text = "Anyone who believes this paid shill deserves what they get."
    assert _covering(_analyse(text), text, "shill", "name_calling")


def test_whataboutism_span() -> None:
    text = "Sure. And what about the bombing of cities by the other side?"
    hits = _covering(_analyse(text), text, "what about", "whataboutism_straw_man_red_herring")
    assert hits and hits[0].detail["sentence"].startswith("And what about")


def test_nazi_analogy_is_reductio() -> None:
    text = "This is Chamberlain all over again."
    assert _covering(_analyse(text), text, "Chamberlain", "bandwagon_reductio_ad_hitlerum")


def test_model_alone_finds_loaded_language_without_patterns() -> None:
    text = "These corrupt, treasonous thugs are destroying our beloved country and laughing at us."
    findings = _analyse(text, use_patterns=False)
    assert findings, "the learned model should flag an openly loaded sentence"
    assert {f.label for f in findings} & {"loaded_language", "name_calling", "appeal_to_fear", "flag_waving"}
    for f in findings:
        assert all(0 <= s.start < s.end <= len(text) for s in f.spans)
        assert f.spans[0].label == f.label


def test_plain_statement_gets_no_confident_finding() -> None:
    findings = _analyse("The council meets on Tuesday at 3 pm in the town hall to discuss the budget.")
    assert all(f.score < 0.5 for f in findings)


def test_patterns_can_be_switched_off() -> None:
    text = "You are a shill."
    with_layer = _analyse(text)
    without = _analyse(text, use_patterns=False)
    assert len(without) <= len(with_layer)
    assert all(f.detail["sentence"] == text for f in with_layer)


def test_article_findings_point_into_article_text() -> None:
    findings = analyse_article(ARTICLE)
    assert findings and all(f.comment_id == "article:a1" for f in findings)
    text = ARTICLE.text
    for f in findings:
        for span in f.spans:
            assert span.fits(text) and text[span.start:span.end].strip()
            assert text[span.start:span.end] in f.detail["sentence"]
    assert any(text.index("appeasement") >= f.spans[0].start and f.label == "bandwagon_reductio_ad_hitlerum"
               for f in findings)


def test_long_text_is_capped_with_valid_spans() -> None:
    text = "You are a shill. " + "word " * 20_000 + "Another shill at the end."
    findings = _analyse(text)
    assert findings and all(s.end <= 5_000 for f in findings for s in f.spans)


def test_hostile_inputs_give_nothing_or_declared_labels() -> None:
    for text in ("", "   \n", "😀😀 🔥", "Это пропаганда. これは宣伝です", "!!!???..."):
        assert all(f.label in LABELS for f in _analyse(text))
    assert _analyse("") == [] and _analyse("😀😀 🔥") == []


def test_pickled_analyser_agrees() -> None:
    analyser = PersuasionAnalyser().setup()
    context = CommentContext(Comment(id="c", thread_id="a1", text="What a disgraceful, cowardly lie.", position=0))
    clone = pickle.loads(pickle.dumps(analyser))
    assert list(clone.analyse([context])) == list(analyser.analyse([context]))


def test_sentences_and_decoding() -> None:
    text = '  He lied. "Really?" she said!\nNext line'
    assert [text[s:e] for s, e in sentence_spans(text)] == ["He lied.", '"Really?"', "she said!", "Next line"]
    assert sentence_spans("") == [] and sentence_spans(" 🔥 ") == []
    import numpy as np

    probs = np.array([0.9, 0.1, 0.8, 0.1, 0.1, 0.7])
    assert decode_runs(probs, 0.5, 0) == [(0, 1), (2, 3), (5, 6)]
    assert decode_runs(probs, 0.5, 1) == [(0, 3), (5, 6)]

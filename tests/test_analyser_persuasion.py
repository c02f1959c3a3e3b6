"""The persuasion analyser: contract, spans on hand-written comments, the pattern layer, articles, edge input,
calibrated thresholds, content-word spans and meta mentions (a technique named in order to reject it)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.persuasion import (
    LABELS,
    PersuasionAnalyser,
    analyse_article,
    decode_runs,
    sentence_spans,
)
from threadwise.analysers.persuasion_rules import FUNCTION_WORDS, is_meta_mention, trim_span
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
    assert "c0" in {f.comment_id for f in findings}  # "Marsh is an idiot": name calling, a pattern that clears 0.6
    assert "c3" not in {f.comment_id for f in findings if f.score >= 0.5}  # the calm agreement


def test_name_calling_span_covers_the_insult() -> None:
    text = "Anyone who believes this paid shill deserves what they get."
    assert _covering(_analyse(text), text, "shill", "name_calling")


def test_whataboutism_span_when_every_candidate_is_shown() -> None:
    text = "Sure. And what about the bombing of cities by the other side?"
    hits = _covering(_analyse(text, calibrated_only=False), text, "what about", "whataboutism_straw_man_red_herring")
    assert hits and hits[0].detail["sentence"].startswith("And what about")


def test_nazi_analogy_is_reductio_when_every_candidate_is_shown() -> None:
    text = "This is Chamberlain all over again."
    assert _covering(_analyse(text, calibrated_only=False), text, "Chamberlain", "bandwagon_reductio_ad_hitlerum")


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
    findings = analyse_article(ARTICLE, PersuasionAnalyser(calibrated_only=False))
    assert findings and all(f.comment_id == "article:a1" for f in findings)
    text = ARTICLE.text
    for f in findings:
        for span in f.spans:
            assert span.fits(text) and text[span.start:span.end].strip()
            assert text[span.start : span.end] in f.detail["sentence"]
    assert any(text.index("appeasement") >= f.spans[0].start and f.label == "bandwagon_reductio_ad_hitlerum"
               for f in findings)


def test_long_text_is_capped_with_valid_spans() -> None:
    text = "You are a shill. " + "word " * 20_000 + "Another shill at the end."  # name calling is shown
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


# --- calibration: what is shown, and how sure it is -------------------------------------------------------

COMMENTS = (
    "These corrupt, treasonous thugs are destroying our beloved country and laughing at us.",
    "You are a shill and a traitor. Every patriot knows the media lies, lies and lies again.",
    "If we let them in, our children will never be safe again. Wake up, people!",
    "Make America great again! The experts agree: only a fool would doubt it.",
    "What about the crimes of the other side? Nobody ever mentions those.",
    "The council meets on Tuesday at 3 pm in the town hall to discuss the budget.",
    "He is the new Hitler, and his cronies are the new Gestapo.",
)


def test_head_has_a_threshold_or_hides_each_technique() -> None:
    meta = PersuasionAnalyser().setup().meta_
    assert set(meta["thresholds"]) == set(LABELS)
    for label, threshold in meta["thresholds"].items():
        evidence = meta["dev_evidence"][label]
        if threshold is None:
            assert evidence["shown"] == 0
        else:  # chosen on the dev articles: enough findings there, at the target precision
            assert evidence["shown"] >= 5 and evidence["precision"] >= meta["target_precision"] == 0.6
            assert 0 < threshold <= 1


def test_no_finding_below_its_techniques_threshold() -> None:
    analyser = PersuasionAnalyser().setup()
    every = PersuasionAnalyser(calibrated_only=False).setup()
    thresholds, target = analyser.meta_["thresholds"], analyser.meta_["target_precision"]
    shown = [d for text in COMMENTS for d in analyser.detect(text)]
    candidates = [d for text in COMMENTS for d in every.detect(text)]
    assert shown and len(candidates) > len(shown)  # the thresholds hold some candidates back
    for label, score, _, detail in shown:
        if detail["source"] == "pattern":
            assert score >= target
        else:
            assert thresholds[label] is not None and score >= thresholds[label], (label, score)
    hidden = {label for label, t in thresholds.items() if t is None}
    assert not hidden & {label for label, _, _, d in shown if d["source"] == "model"}


def test_findings_say_how_sure_they_are() -> None:
    findings = [f for text in COMMENTS for f in _analyse(text)]
    assert findings
    for f in findings:
        expected = "very likely" if f.score >= 0.8 else "likely" if f.score >= 0.6 else "possible"
        assert f.detail["certainty"] == expected and 0 <= f.score <= 1


def test_calibrated_score_rises_with_the_raw_score() -> None:
    analyser = PersuasionAnalyser().setup()
    for label in LABELS:
        low, mid, high = (analyser.calibrated(label, raw) for raw in (0.05, 0.3, 0.7))
        assert 0 < low < mid < high < 1


# --- spans: content words only ----------------------------------------------------------------------------


def test_trim_span_drops_function_words_and_keeps_content() -> None:
    text = "It was done by the brutal regime, and the people."
    by = text.index("by")
    assert trim_span(text, by, by + 2) is None  # "by" alone
    assert trim_span(text, by, by + 6) is None  # "by the"
    start, end = trim_span(text, by, text.index(","))  # type: ignore[misc]
    assert text[start:end] == "brutal regime"
    assert trim_span(text, 0, len(text)) == (text.index("brutal"), text.index("people") + len("people"))


def _content_span(text: str) -> bool:
    words = re.findall(r"\w+(?:['’]\w+)*", text)
    return bool(words) and words[0].lower() not in FUNCTION_WORDS and words[-1].lower() not in FUNCTION_WORDS


def test_spans_start_and_end_on_content_words_in_comments() -> None:
    for text in COMMENTS:
        for f in _analyse(text, calibrated_only=False, use_patterns=False):
            assert _content_span(text[f.spans[0].start : f.spans[0].end]), (text, f)


@pytest.mark.datasets(use="eval persuasion")
def test_no_function_word_span_on_a_news_article(shared_data: Path) -> None:
    """A PTC article (its repetition is where "by" and "the" were shown): every candidate span holds content."""
    from threadwise.train.persuasion_data import split_ptc

    doc = split_ptc(shared_data).test[0]
    analyser = PersuasionAnalyser(calibrated_only=False, use_patterns=False).setup()
    found = [d for line_start, line in _lines(doc.text) for d in analyser.detect(line, offset=line_start)]
    assert len(found) > 10
    for _, _, spans, _ in found:
        assert _content_span(doc.text[spans[0].start : spans[0].end]), doc.text[spans[0].start : spans[0].end]


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((start, line))
        start += len(line) + 1
    return out


# --- meta mentions: naming a technique in order to reject it -------------------------------------------------

REJECTIONS = (
    "Comparing him to Hitler is absurd.",
    "Stop with the Nazi analogies.",
    "That's a strawman of what the article says.",
    "Enough with the Hitler comparisons already, it cheapens the debate.",
    "Calling critics traitors is not an argument.",
    "Pure whataboutism: the article is about this war, not the last one.",
)
REAL_USES = (
    "He is the new Hitler.",
    "These traitors sold us out.",
    "This is Chamberlain all over again.",
    "Comparing him to Hitler is fair: he builds camps.",
    "What about the bombing of cities by the other side?",
)


@pytest.mark.parametrize("sentence", REJECTIONS)
def test_meta_mention_rule_catches_rejections(sentence: str) -> None:
    assert is_meta_mention(sentence)


@pytest.mark.parametrize("sentence", REAL_USES)
def test_meta_mention_rule_leaves_real_uses(sentence: str) -> None:
    assert not is_meta_mention(sentence)


@pytest.mark.parametrize("text", REJECTIONS)
def test_rejected_technique_is_not_tagged(text: str) -> None:
    """Even with every candidate shown, a comment rejecting a technique carries no finding at all."""
    assert _analyse(text, calibrated_only=False) == []


def test_real_uses_are_still_tagged() -> None:
    text = "He is the new Hitler."
    assert _covering(_analyse(text, calibrated_only=False), text, "Hitler", "bandwagon_reductio_ad_hitlerum")
    text = "These traitors sold us out."
    assert _covering(_analyse(text), text, "traitors", "name_calling")  # shown by default: pattern ≥ 0.6
    rebuttal = "These traitors sold us out. Calling them traitors is not an argument, though."
    found = _analyse(rebuttal)
    assert _covering(found, rebuttal, "traitors", "name_calling")  # the first sentence uses it
    second = rebuttal.index("Calling")
    assert all(s.start < second for f in found for s in f.spans)  # the second one only talks about it

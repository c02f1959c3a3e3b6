"""TargetAnalyser: the conformance suite, hand-written comments for each target type, and the OLID floor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import SAMPLE_ARTICLE, check_analyser, sample_contexts
from threadwise.analysers.target import TargetAnalyser
from threadwise.model import Comment, Finding, Span


@pytest.fixture(scope="module")
def analyser() -> TargetAnalyser:
    return TargetAnalyser().setup()


def toxic(comment_id: str, score: float = 0.9, label: str = "toxic", spans: tuple[Span, ...] = ()) -> Finding:
    return Finding(comment_id, "toxicity", "test", label, score, spans=spans)


def context(text: str, score: float | None = 0.9, parent: Comment | None = None, label: str = "toxic",
            spans: tuple[Span, ...] = ()) -> CommentContext:
    comment = Comment(id="c", thread_id=SAMPLE_ARTICLE.id, text=text, position=1,
                      parent_id=parent.id if parent else None)
    findings = (toxic("c", score, label, spans),) if score is not None else ()
    return CommentContext(comment, SAMPLE_ARTICLE, (parent,) if parent else (), findings)


# hand cases, measured 2026-12-02 with head 2.0: best target 0.8158, no forbidden label 0.8947 (floor: - 0.05)
HAND_FLOOR = 0.76
FORBIDDEN_FLOOR = 0.84


def run(analyser: TargetAnalyser, ctx: CommentContext) -> list[Finding]:
    return list(analyser.analyse([ctx]))


def covered(item: Finding, text: str, label: str) -> list[str]:
    return [text[s.start : s.end] for s in item.spans if s.label == label]


def test_conformance_without_and_with_toxicity() -> None:
    check_analyser(TargetAnalyser())
    hostile = [replace(c, findings=(toxic(c.comment.id),)) for c in sample_contexts()]
    findings = check_analyser(TargetAnalyser(), hostile)
    assert {f.comment_id for f in findings} >= {"c0", "c1"}


def test_author_by_surname_with_attack_words(analyser: TargetAnalyser) -> None:
    text = "Marsh is a typical Western apologist."
    found = run(analyser, context(text))
    assert found[0].label == "author"
    assert covered(found[0], text, "target") == ["Marsh"]
    assert {"typical", "apologist"} <= set(covered(found[0], text, "attack"))
    assert 0.5 < found[0].score <= 1.0


def test_claim_rebuttal_has_no_personal_target(analyser: TargetAnalyser) -> None:
    text = "The grain deal did not hold for a year"
    hostile = run(analyser, context(text, 0.7))
    assert not {f.label for f in hostile} & {"author", "commenter", "public_figure", "group", "outlet"}
    assert run(analyser, context(text, None)) == []  # not hostile, no disagreement word: nothing to report


def test_outlet_by_name_and_by_role(analyser: TargetAnalyser) -> None:
    by_name = run(analyser, context("The Northern Review publishes garbage every week."))
    assert by_name[0].label == "outlet"
    by_role = run(analyser, context("Shame on this rag for printing it."))
    assert "outlet" in [f.label for f in by_role]
    assert covered(next(f for f in by_role if f.label == "outlet"), "Shame on this rag for printing it.",
                   "target") == ["this rag"]


def test_commenter_in_a_reply(analyser: TargetAnalyser) -> None:
    parent = Comment(id="p", thread_id=SAMPLE_ARTICLE.id, text="A ceasefire is overdue.", position=0, author="kestrel")
    text = "You are a moron, kestrel."
    found = run(analyser, context(text, parent=parent))
    assert found[0].label == "commenter"
    assert set(covered(found[0], text, "target")) == {"You", "kestrel"}
    assert covered(found[0], text, "attack") == ["moron"]


def test_public_figure_and_group(analyser: TargetAnalyser) -> None:
    figure = run(analyser, context("President Zelensky is a clown."))
    assert figure[0].label == "public_figure"
    assert covered(figure[0], "President Zelensky is a clown.", "target") == ["President Zelensky"]
    text = "Muslims and liberals ruin everything."
    group = run(analyser, context(text))
    assert group[0].label == "group"
    assert covered(group[0], text, "target") == ["Muslims", "liberals"]


def test_non_hostile_disagreement_with_the_piece_is_argument(analyser: TargetAnalyser) -> None:
    found = run(analyser, context("This article is wrong about the grain deal.", None))
    assert [f.label for f in found] == ["argument"]
    assert run(analyser, context("Marsh makes a fair point about the front line.", None)) == []


def test_non_toxic_findings_and_low_scores_are_not_hostility(analyser: TargetAnalyser) -> None:
    assert run(analyser, context("Marsh is wrong-headed but honest.", 0.95, label="non_toxic")) == []
    assert run(analyser, context("Marsh writes every week.", 0.2)) == []


def test_toxicity_spans_become_attack_spans(analyser: TargetAnalyser) -> None:
    text = "Marsh, you absolute walnut."
    start = text.index("walnut")
    found = run(analyser, context(text, spans=(Span(start, start + 6),)))
    author = next(f for f in found if f.label == "author")
    assert covered(author, text, "attack") == ["walnut"]  # not in our attack words: it came from toxicity


@pytest.mark.parametrize("text", [
    "Blame Spain, they sold the shells to both sides, the hypocrites.",
    "Earth would be better off without this stupid war.",
    "Remember Libya? The idiots bombed it into a failed state.",
    "Another load of Russian propaganda, disgusting.",
    "Thanks to Moscow and Washington the idiots keep fighting.",
])
def test_places_and_demonyms_are_never_public_figures(analyser: TargetAnalyser, text: str) -> None:
    labels = {f.label for f in run(analyser, context(text))}
    assert "public_figure" not in labels
    kinds = {m.kind for m in analyser.mentions(context(text), True)}
    assert "public_figure" not in kinds


def test_a_name_after_a_demonym_is_still_a_person(analyser: TargetAnalyser) -> None:
    text = "The Russian dictator Vladimir Putin is a liar and a war criminal."
    found = run(analyser, context(text))
    assert found[0].label == "public_figure"
    assert "Vladimir Putin" in covered(found[0], text, "target")


def test_no_finding_below_its_calibrated_threshold(analyser: TargetAnalyser) -> None:
    from threadwise.train.target import case_context, load_cases

    contexts = [case_context(c, i) for i, c in enumerate(load_cases())]
    findings = list(analyser.analyse(contexts))
    assert findings
    for item in findings:
        assert item.score >= item.detail["threshold"], item
        if item.detail.get("target_type"):  # head-typed: the threshold is its type's, chosen on OLID dev
            assert item.detail["threshold"] == analyser.thresholds_[item.detail["target_type"]]


def test_hand_labelled_news_comments(analyser: TargetAnalyser) -> None:
    from threadwise.train.target import hand_cases

    result = hand_cases(analyser)
    assert result["n"] >= 30
    assert result["best_target_accuracy"] >= HAND_FLOOR, result["errors"]
    assert result["no_forbidden_label"] >= FORBIDDEN_FLOOR, result["errors"]


@pytest.mark.datasets(use="eval target")
def test_olid_subtask_c_floor(shared_data: Path) -> None:
    from threadwise.train import target

    metrics = target.evaluate(shared_data, fast=True)
    # measured 2026-12-02 (head 2.0): macro-F1 0.5214 on the 213 OLID level-C test tweets (trivial 0.213)
    assert metrics["olid_c_test"]["macro_f1"] >= 0.50
    assert metrics["olid_c_test"]["macro_f1"] > metrics["trivial_majority"]["macro_f1"] + 0.2


@pytest.mark.parametrize(("bio", "author_pronouns"), [
    ("Elena Marsh is a writer based in Vienna. Her most recent book is about borders.", {"She"}),
    ("Elena Marsh is a writer based in Vienna. His most recent book is about borders.", {"He"}),
    (None, {"She", "He"}),  # the page says nothing: any pronoun under the piece may mean its author
])
def test_a_pronoun_means_the_author_only_if_it_agrees_with_the_author_bio(
        analyser: TargetAnalyser, bio: str | None, author_pronouns: set[str]) -> None:
    article = replace(SAMPLE_ARTICLE, author_bio=bio)
    named = set()
    for pronoun in ("She", "He"):
        text = f"{pronoun} is a liar and a disgrace."
        comment = Comment(id="c", thread_id=article.id, text=text, position=1)
        found = run(analyser, CommentContext(comment, article, (), (toxic("c"),)))
        if any(f.label == "author" and pronoun in covered(f, text, "target") for f in found):
            named.add(pronoun)
    assert named == author_pronouns

"""The constructive analyser: contract, constructive vs not, and on_topic against the article."""

from __future__ import annotations

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.constructive import ConstructiveAnalyser, hand_features
from threadwise.model import Article, Comment, Finding

ARTICLE = Article(
    id="a1",
    title="Vancouver's foreign buyers tax cooled the housing market",
    paragraphs=(
        "Six months after British Columbia introduced a 15 percent tax on foreign buyers, home sales in "
        "Vancouver have fallen sharply and prices have stopped rising.",
        "Economists disagree on whether the levy or rising interest rates deserve the credit.",
    ),
)
REASONED = (
    "The tax clearly had some effect, but sales were already slowing because mortgage rules tightened in "
    "October. If the province wants to know what worked, it should publish the monthly data on foreign purchases "
    "before and after the levy, and compare it with Toronto, which had no such tax at the time."
)
RANT = "What a joke. Idiots!"


def _by_label(text: str) -> dict[str, Finding]:
    context = CommentContext(Comment(id="c", thread_id="a1", text=text, position=0), ARTICLE)
    return {f.label: f for f in ConstructiveAnalyser().setup().analyse([context])}


def test_conformance() -> None:
    findings = check_analyser(ConstructiveAnalyser())
    labels = {(f.comment_id, f.label) for f in findings}
    assert ("c4", "constructive") not in labels and ("c5", "constructive") not in labels  # empty, whitespace
    assert ("c3", "constructive") in labels and ("c3", "on_topic") in labels


def test_reasoned_comment_beats_rant() -> None:
    reasoned, rant = _by_label(REASONED), _by_label(RANT)
    assert reasoned["constructive"].score > 0.7
    assert rant["constructive"].score < 0.3


def test_on_topic_higher_for_comment_about_the_article() -> None:
    on = _by_label(REASONED)["on_topic"]
    off = _by_label("My cat knocked the Christmas tree over again, lol.")["on_topic"]
    assert on.score > off.score
    assert on.detail["similarity"] > off.detail["similarity"]
    assert -1.0 <= off.detail["similarity"] <= 1.0


def test_uses_the_pipeline_embedding_when_given() -> None:
    import numpy as np

    comment = Comment(id="c", thread_id="a1", text=REASONED, position=0)
    unit = np.zeros(384, dtype=np.float32)
    unit[0] = 1.0  # a vector far from the article: on_topic must follow it, not re-embed the text
    findings = list(ConstructiveAnalyser().setup().analyse([CommentContext(comment, ARTICLE, embedding=unit)]))
    topic = next(f for f in findings if f.label == "on_topic")
    assert topic.detail["similarity"] < 0.2


def test_hand_features_cues() -> None:
    features = hand_features("Because the data says so? I think 40% agree!")
    assert len(features) == 13
    assert features[4] == 1.0 and features[5] == 1.0 and features[6] == 1.0 and features[7] == 1.0

"""StanceAnalyser: the conformance suite and hand-written comments on a hand-written article."""

from __future__ import annotations

import pytest

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.embed import shared_embedder
from threadwise.analysers.stance import STANCES, StanceAnalyser, cue_features, grams
from threadwise.model import Article, Comment, Finding

ARTICLE = Article(
    id="a1",
    title="Police confirm the museum fire was started deliberately",
    author="Jon Reyes",
    outlet="The Daily Ledger",
    paragraphs=(
        "Police said on Tuesday that the fire which destroyed the city museum was started deliberately.",
        "Investigators found traces of petrol in the east wing, a spokesperson said.",
    ),
)


@pytest.fixture(scope="module")
def analyser() -> StanceAnalyser:
    return StanceAnalyser().setup()


def contexts(*texts: str, parent: str | None = None, article: Article | None = ARTICLE) -> list[CommentContext]:
    parent_comment = Comment(id="p", thread_id="a1", text=parent, position=0) if parent else None
    out = []
    for i, text in enumerate(texts):
        comment = Comment(id=f"c{i}", thread_id="a1", text=text, position=i + 1,
                          parent_id=parent_comment.id if parent_comment else None)
        out.append(CommentContext(comment, article, (parent_comment,) if parent_comment else (),
                                  embedding=shared_embedder().encode([text])[0]))
    return out


def article_finding(analyser: StanceAnalyser, text: str, article: Article = ARTICLE) -> Finding:
    found = [f for f in analyser.analyse(contexts(text, article=article)) if not f.label.startswith("parent_")]
    assert len(found) == 1
    return found[0]


def test_conformance() -> None:
    findings = check_analyser(StanceAnalyser())
    assert {f.comment_id for f in findings} >= {"c0", "c1", "c2", "c3"}
    assert any(f.label.startswith("parent_") and f.comment_id == "c3" for f in findings)  # c3 is a reply


def test_one_article_finding_with_all_four_calibrated_probabilities(analyser: StanceAnalyser) -> None:
    item = article_finding(analyser, "Terrible news, I hope they catch whoever did it.")
    probabilities = item.detail["probabilities"]
    assert set(probabilities) == set(STANCES)
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert item.score == pytest.approx(max(probabilities.values()), abs=1e-4)
    assert item.label == max(probabilities, key=probabilities.get)
    assert item.detail["toward"] == "article"


def test_question_is_query_with_the_question_mark_as_evidence(analyser: StanceAnalyser) -> None:
    text = "Is this confirmed? Where is the source for the petrol claim?"
    item = article_finding(analyser, text)
    assert item.label == "query"
    assert [text[s.start : s.end] for s in item.spans if "?" in text[s.start : s.end]] == ["?", "?"]


def test_denial_is_deny_with_the_denial_words_as_evidence(analyser: StanceAnalyser) -> None:
    text = "Not true. Police never said that, this is a hoax."
    item = article_finding(analyser, text)
    assert item.label == "deny"
    assert {"not", "hoax"} <= {text[s.start : s.end].lower() for s in item.spans}
    neutral = article_finding(analyser, "Terrible news, I hope they catch whoever did it.")
    rebuttal = "This is fake. No fire was started deliberately, it was faulty wiring. Total lie."
    weaker = article_finding(analyser, rebuttal)
    # known weakness: a long rebuttal restating the claim is often read as comment; deny still rises
    assert weaker.detail["probabilities"]["deny"] > 2 * neutral.detail["probabilities"]["deny"]


def test_agreement_leans_support_more_than_denial_does(analyser: StanceAnalyser) -> None:
    agree = article_finding(analyser, "Confirmed: police say the museum fire was arson, petrol found in the east wing.")
    deny = article_finding(analyser, "This is fake. No fire was started deliberately, it was faulty wiring. Total lie.")
    assert agree.detail["probabilities"]["support"] > deny.detail["probabilities"]["support"]
    assert agree.label in ("support", "comment")


def test_the_article_changes_the_prediction(analyser: StanceAnalyser) -> None:
    other = Article(id="a2", title="Local bakery wins national bread award", paragraphs=("The sourdough won.",))
    text = "Police found petrol in the east wing of the museum."
    on_topic, off_topic = article_finding(analyser, text), article_finding(analyser, text, other)
    assert on_topic.detail["similarity"] > off_topic.detail["similarity"] + 0.2
    assert on_topic.detail["probabilities"] != off_topic.detail["probabilities"]


def test_reply_gets_a_parent_finding_toward_the_parent(analyser: StanceAnalyser) -> None:
    batch = contexts("Source? I doubt that is true.", parent="It was obviously an insurance job.")
    found = list(analyser.analyse(batch))
    assert sorted(f.label.startswith("parent_") for f in found) == [False, True]
    parent = next(f for f in found if f.label.startswith("parent_"))
    assert parent.detail["toward"] == "p"
    assert parent.label in ("parent_query", "parent_deny")


def test_no_article_and_no_parent_gives_nothing_and_no_crash(analyser: StanceAnalyser) -> None:
    assert list(analyser.analyse(contexts("Some words here.", article=None))) == []
    assert list(analyser.analyse(contexts("🔥🔥🔥", "   "))) == []


def test_cues_are_deterministic_hashes_with_offsets_into_the_original_text() -> None:
    text = "Fake?  NOT true"
    assert [text[s:e] for _, s, e in grams(text)][:4] == ["Fake", "?", "NOT", "true"]
    assert (cue_features(text) == cue_features(text)).all()
    assert cue_features(text)[0] == 0.5  # one negation, squashed count

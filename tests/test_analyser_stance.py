"""StanceAnalyser 2: the conformance suite, the pair model on hand-written comments, and the bundled op-ed thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.stance import STANCES, StanceAnalyser, passage_for, sentence_around
from threadwise.model import Article, Comment, Finding
from threadwise.service import analyse_thread, read_source

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "op-ed-ceasefire.txt"
ARTICLE = Article(
    id="a1",
    title="The city should build homes near its train stations",
    author="Jon Reyes",
    outlet="The Daily Ledger",
    paragraphs=(
        "The city should allow taller apartment buildings within a ten-minute walk of every train station.",
        "Rents have risen by a third in five years, and the waiting list for social housing has doubled.",
    ),
)


@pytest.fixture(scope="module")
def analyser() -> StanceAnalyser:
    return StanceAnalyser().setup()


def contexts(*texts: str, parent: str | None = None, article: Article | None = ARTICLE) -> list[CommentContext]:
    parent_comment = Comment(id="p", thread_id="a1", text=parent, position=0) if parent else None
    return [CommentContext(Comment(id=f"c{i}", thread_id="a1", text=text, position=i + 1,
                                   parent_id=parent_comment.id if parent_comment else None),
                           article, (parent_comment,) if parent_comment else ())
            for i, text in enumerate(texts)]


def article_finding(analyser: StanceAnalyser, text: str, article: Article = ARTICLE) -> Finding:
    found = [f for f in analyser.analyse(contexts(text, article=article)) if not f.label.startswith("parent_")]
    assert len(found) == 1
    return found[0]


def test_conformance() -> None:
    findings = check_analyser(StanceAnalyser())
    assert {f.comment_id for f in findings} >= {"c0", "c1", "c2", "c3"}
    assert any(f.label.startswith("parent_") and f.comment_id == "c3" for f in findings)  # c3 is a reply


def test_one_article_finding_with_calibrated_probabilities_and_its_model_version(analyser: StanceAnalyser) -> None:
    item = article_finding(analyser, "I took the train to work this morning.")
    probabilities = item.detail["probabilities"]
    assert set(probabilities) == set(STANCES)
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert item.score == pytest.approx(probabilities[item.label], abs=1e-4)
    assert item.detail["toward"] == "article" and item.detail["model_version"] == StanceAnalyser.version


@pytest.mark.parametrize(("text", "stance"), [
    pytest.param("Complete nonsense. Taller buildings will not lower anyone's rent, this piece is wishful thinking.",
                 "deny", marks=pytest.mark.xfail(strict=True, reason=(
                     "measured with stance 2.0.0: deny 0.48 (below its 0.55 threshold), support 0.39 — a rebuttal that "
                     "restates the article's claim is read half as agreement (docs/EVAL.md, issue 10)"))),
    ("Well argued, I agree completely. We need these homes near the stations.", "support"),
    ("Where do the rent figures come from? Is there a source for the waiting list?", "query"),
])
def test_plain_stances_toward_the_article_are_read_with_words_of_the_comment_as_evidence(
        analyser: StanceAnalyser, text: str, stance: str) -> None:
    item = article_finding(analyser, text)
    assert item.label == stance, item.detail["probabilities"]
    assert item.spans and all(0 <= s.start < s.end <= len(text) for s in item.spans)
    assert all(text[s.start:s.end].strip() == text[s.start:s.end] for s in item.spans)  # whole words, no padding


def test_pairs_read_together_are_read_as_each_alone(analyser: StanceAnalyser) -> None:
    """The analyser reads a batch's pairs on one worker per core; each reading must be the pair's own."""
    pairs = [("A ceasefire now would save lives.", "Nonsense, it only rewards the invader."),
             ("A ceasefire now would save lives.", "I agree with every word of this."),
             ("The grain deal fed millions.", "Did it, though? Where are the figures?"),
             ("word " * 200, "Another rather long comment " * 30)]
    together = analyser.read_many(pairs)
    assert analyser.runs_._pool is not None  # the workers' path was the one taken
    for pair, reading in zip(pairs, together, strict=True):
        alone = analyser.read(*pair)
        assert (alone.logits == reading.logits).all() and alone.evidence == reading.evidence


def test_a_stance_below_its_calibrated_threshold_reads_as_comment_and_says_so() -> None:
    strict = StanceAnalyser().setup()
    strict.thresholds_ = {s: (0.0 if s == "comment" else 0.999) for s in STANCES}
    item = article_finding(strict, "Where do the rent figures come from? Is there a source for the waiting list?")
    probabilities = item.detail["probabilities"]
    best = max(probabilities, key=probabilities.get)
    assert best != "comment" and item.label == "comment" and not item.spans
    assert item.detail["not_sure_enough"] == {"stance": best, "probability": probabilities[best], "threshold": 0.999}


def test_the_target_is_the_quoted_article_sentence_when_the_comment_quotes_one() -> None:
    text = '"Rents have risen by a third in five years." They have not, they rose by a tenth.'
    comment = Comment(id="q", thread_id="a1", text=text, position=1)
    (finding,) = [f for f in analyse_thread(_thread(comment), ["stance"]).findings if f.analyser == "stance"]
    assert finding.detail["target"].startswith("Rents have risen by a third in five years")


def _thread(*comments: Comment):  # type: ignore[no-untyped-def]
    from threadwise.model import Thread

    return Thread(ARTICLE, comments)


def test_passage_for_picks_the_paragraph_sharing_most_words_and_sentence_around_cuts_at_sentence_ends() -> None:
    paragraphs = ("Title and lead about housing.", "Rents have risen by a third and the waiting list doubled.")
    assert passage_for("the waiting list for rents", paragraphs) == paragraphs[1]
    assert passage_for("anything", ()) == ""
    text = "First sentence. The quoted one is here! Last one."
    assert sentence_around(text, text.index("quoted"), text.index("quoted") + 6) == "The quoted one is here!"


def test_reply_gets_a_parent_finding_toward_the_parent(analyser: StanceAnalyser) -> None:
    batch = contexts("Source? I doubt that is true.", parent="Rents went up because of migrants.")
    found = list(analyser.analyse(batch))
    assert sorted(f.label.startswith("parent_") for f in found) == [False, True]
    parent = next(f for f in found if f.label.startswith("parent_"))
    assert parent.detail["toward"] == "p" and parent.detail["target"] == "Rents went up because of migrants."


def test_no_article_and_no_parent_gives_nothing_and_no_crash(analyser: StanceAnalyser) -> None:
    assert list(analyser.analyse(contexts("Some words here.", article=None))) == []
    assert list(analyser.analyse(contexts("🔥🔥🔥", "   "))) == []


# --- the bundled op-ed thread (the shape of DEVELOPERS.md's thread) ------------------------------------

AGAINST_THE_ARTICLE = ("1", "3", "4", "7", "8", "10")  # propaganda, quote rebutted, facts disputed, whataboutism, …


@pytest.fixture(scope="module")
def example_stances() -> dict[str, str]:
    thread = read_source(str(EXAMPLE))
    findings = analyse_thread(thread, ["quotes", "stance"]).findings
    number = {c.id: c.number for c in thread.comments}
    return {number[f.comment_id]: f.label for f in findings
            if f.analyser == "stance" and f.detail["toward"] == "article"}


@pytest.mark.xfail(strict=True, reason=(
    "measured with stance 2.0.0: of the six comments that argue against the op-ed only #3 (quoting it to rebut it) is "
    "deny; #1 'This is propaganda…' and #4 (disputes its fact) read comment, #7 (whataboutism) leans query 0.59 "
    "< 0.65, "
    "#8 reads comment 0.56 and #10 leans deny 0.41 < 0.55 (docs/EVAL.md, issue 10)"))
def test_comments_arguing_against_the_op_ed_are_mostly_deny(example_stances: dict[str, str]) -> None:
    denied = [n for n in AGAINST_THE_ARTICLE if example_stances.get(n) == "deny"]
    assert len(denied) >= 4, example_stances


@pytest.mark.xfail(strict=True, reason=(
    "measured with stance 2.0.0 since the republication notice is no longer read as the article's first paragraph "
    "(2026-12-04): #9 'I actually agree with most of this' reads comment (support 0.29, deny 0.38, against the "
    "paragraph on talks; before, support 0.51 against the title plus the notice), #12 leans query 0.55 < 0.65 "
    "(docs/EVAL.md, issue 10)"))
def test_agreement_with_the_op_ed_is_support_and_the_question_to_the_site_is_query(
        example_stances: dict[str, str]) -> None:
    assert example_stances.get("9") == "support", example_stances
    assert example_stances.get("12") == "query", example_stances

"""The claims analyser: contract, sentence splitting, claim scoring and the link to the article."""

from __future__ import annotations

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.claims import ClaimsAnalyser, relation, split_sentences
from threadwise.model import Article, Comment, Finding

ARTICLE = Article(
    id="a1",
    title="Jobs report",
    paragraphs=(
        "Unemployment fell to 4.1 percent in March, the lowest rate in a decade.",
        "The minister said the new tax credit created 200,000 jobs.",
        "Critics will call this spin. It is not.",
    ),
)


def _analyse(text: str, article: Article | None = ARTICLE) -> list[Finding]:
    context = CommentContext(Comment(id="c", thread_id="a1", text=text, position=0), article)
    return list(ClaimsAnalyser().setup().analyse([context]))


def test_conformance() -> None:
    findings = check_analyser(ClaimsAnalyser())
    by_comment = {f.comment_id for f in findings}
    # "The UN says 500,000 died." is the sample batch's one clearly checkable statement
    assert "c2" in by_comment
    assert "c0" not in by_comment  # an insult is not a factual claim
    assert "c9" not in by_comment  # 100 KB of "word word …" is spam, not a claim


def test_splitter_offsets_abbreviations_and_numbers() -> None:
    text = "  Mr. Smith paid $3.5 million in 2019! Did he?\nYes …really. U.S. troops left."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Mr. Smith paid $3.5 million in 2019!", "Did he?", "Yes …really.", "U.S. troops left."]
    assert split_sentences("") == [] and split_sentences(" 😀 🔥 ") == []


def test_numeric_claim_is_flagged_and_opinion_is_not() -> None:
    text = "I love this paper. Crime rose by 25 percent in Chicago between 2015 and 2020."
    findings = _analyse(text)
    assert len(findings) == 1
    span = findings[0].spans[0]
    assert text[span.start : span.end] == "Crime rose by 25 percent in Chicago between 2015 and 2020."
    assert findings[0].score >= ClaimsAnalyser().setup().threshold_


def test_claim_repeating_the_article_is_linked() -> None:
    findings = _analyse("Unemployment dropped to 4.1 percent in March, the lowest in ten years.")
    assert len(findings) == 1
    detail = findings[0].detail
    start, end = detail["article_span"]
    assert ARTICLE.text[start:end] == detail["article_sentence"]
    assert detail["article_sentence"].startswith("Unemployment fell to 4.1 percent")
    assert detail["relation"] == "repeats"
    assert 0.6 <= detail["similarity"] <= 1.0


def test_claim_with_other_number_disputes_the_article() -> None:
    findings = _analyse("The tax credit created only 20,000 jobs, not 200,000 as the minister claims.")
    assert findings, "a claim with numbers about jobs should be check-worthy"
    detail = findings[0].detail
    assert detail["article_sentence"].startswith("The minister said the new tax credit")
    assert detail["relation"] == "disputes"


def test_relation_cues() -> None:
    assert relation("It is not spin.", "It is spin.", 0.9) == "disputes"
    assert relation("Taxes rose 5%.", "Taxes rose 7%.", 0.9) == "disputes"
    assert relation("Taxes rose 5%.", "Taxes went up 5%.", 0.9) == "repeats"
    assert relation("Taxes rose 5%.", "Spending on schools rose.", 0.65) == "related"


def test_no_article_gives_no_link() -> None:
    findings = _analyse("Crime rose by 25 percent in Chicago between 2015 and 2020.", article=None)
    assert len(findings) == 1 and findings[0].detail == {}

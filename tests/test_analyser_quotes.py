"""The quotes analyser: contract, behaviour on hand-written comments, and spans always inside both texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import SAMPLE_ARTICLE, check_analyser
from threadwise.analysers.quotes import QuotesAnalyser, align
from threadwise.model import Article, Comment, Finding

ARTICLE = Article(
    id="a1",
    title="The ceasefire nobody wants to talk about",
    paragraphs=(
        "Three winters into the war, the front line has barely moved.",
        "Critics will call this appeasement. It is not. A ceasefire stops the killing.",
        "The government’s own figures show that 40,000 soldiers died last year — more than in the two years before.",
    ),
)


def _analyse(text: str, parent: str | None = None) -> list[Finding]:
    ancestors = (Comment(id="p", thread_id="a1", text=parent, position=0),) if parent is not None else ()
    context = CommentContext(Comment(id="c", thread_id="a1", text=text, position=1), ARTICLE, ancestors)
    return list(QuotesAnalyser().setup().analyse([context]))


def _only(findings: list[Finding], label: str) -> Finding:
    matching = [f for f in findings if f.label == label]
    assert len(matching) == 1, findings
    return matching[0]


def test_conformance() -> None:
    findings = check_analyser(QuotesAnalyser())
    # the sample batch quotes the sample article once, inside quotation marks
    quoted = [f for f in findings if f.label == "quotes_article"]
    assert [f.comment_id for f in quoted] == ["c1"]
    start, end = quoted[0].detail["article_span"]
    assert SAMPLE_ARTICLE.text[start:end] == "Critics will call this appeasement. It is not."


def test_marked_quote_spans_both_texts() -> None:
    text = '"Critics will call this appeasement. It is not." Yes it is.'
    found = _only(_analyse(text), "quotes_article")
    span = found.spans[0]
    assert text[span.start : span.end] == "Critics will call this appeasement. It is not."
    start, end = found.detail["article_span"]
    assert ARTICLE.text[start:end] == "Critics will call this appeasement. It is not."
    assert found.detail["article_paragraph"] == 1
    assert found.detail["marked"] is True
    assert found.score == 1.0


def test_near_exact_unmarked_quote_with_typo_curly_quotes_and_dashes() -> None:
    text = "the government's own figures show that 40,000 soldiers dyed last year - more than before. Shameful."
    found = _only(_analyse(text), "quotes_article")
    assert found.detail["marked"] is False
    assert found.detail["article_paragraph"] == 2
    assert 0.8 <= found.score < 1.0
    span = found.spans[0]
    assert text[span.start : span.end].startswith("the government's own figures")
    start, _ = found.detail["article_span"]
    assert ARTICLE.text[start:].startswith("The government’s own figures")


def test_ellipsis_bridges_skipped_words() -> None:
    text = "She wrote “Three winters into the war … a ceasefire stops the killing.” Really?"
    found = _only(_analyse(text), "quotes_article")
    start, end = found.detail["article_span"]
    assert ARTICLE.text[start:end].startswith("Three winters") and ARTICLE.text[start:end].endswith("killing.")
    assert found.detail["marked"] is True
    assert found.score > 0.9


def test_short_common_phrase_unquoted_does_not_count() -> None:
    assert _analyse("It is not. Three winters into the war is long enough, I think.") == []
    assert _analyse("A ceasefire stops the killing? Not here.") == []  # 5 words, unmarked


def test_short_phrase_inside_quotation_marks_counts() -> None:
    found = _only(_analyse('So "a ceasefire stops the killing", does it?'), "quotes_article")
    assert found.detail["marked"] is True


def test_unrelated_comment_gives_nothing() -> None:
    assert _analyse("I had pancakes for breakfast and the weather is lovely in Leeds today.") == []


def test_reply_quoting_its_parent() -> None:
    parent = "Honestly the sanctions have done nothing but hurt ordinary families for years."
    text = '> the sanctions have done nothing but hurt ordinary families\nSource?'
    found = _only(_analyse(text, parent=parent), "quotes_parent")
    start, end = found.detail["parent_span"]
    assert parent[start:end] == "the sanctions have done nothing but hurt ordinary families"
    assert found.detail["parent_id"] == "p"


_WORDS = st.sampled_from(["the", "war", "Critics", "ceasefire", "it", "is", "not", "“", "”", '"', "…", "—", "40,000",
                          "stops", "killing", "moved", "de", "🔥", "Это", "\n", " ", ".", "'", "’"])
_TEXT = st.lists(_WORDS, max_size=60).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(paragraphs=st.lists(_TEXT, min_size=1, max_size=4), prefix=_TEXT, suffix=_TEXT,
       cut=st.tuples(st.integers(0, 400), st.integers(0, 400)))
def test_spans_stay_inside_both_texts(paragraphs: list[str], prefix: str, suffix: str, cut: tuple[int, int]) -> None:
    article = "\n\n".join(paragraphs)
    comment = prefix + article[min(cut) : max(cut)] + suffix
    for passage in align(comment, article, min_unmarked=3, min_content=0):
        assert 0 <= passage.source[0] < passage.source[1] <= len(comment)
        assert 0 <= passage.target[0] < passage.target[1] <= len(article)
        assert 0.8 <= passage.similarity <= 1.0

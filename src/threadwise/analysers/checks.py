"""``check_analyser``: the conformance suite every analyser passes, built-in or plug-in.

Call it from a test with an analyser instance; it raises ``AssertionError`` naming the broken rule.
It checks: parameters stored unchanged by ``setup``, ``setup`` idempotent, the analyser pickles, spans
lie inside the text, labels are declared, scores lie in [0, 1], output is deterministic, an empty batch
gives no findings, and hostile inputs (empty, huge, emoji-only, mixed scripts) do not crash it.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence

from threadwise.analysers.base import Analyser, CommentContext, get_params
from threadwise.analysers.embed import shared_embedder
from threadwise.model import Article, Comment, Finding

SAMPLE_ARTICLE = Article(
    id="check-article",
    title="The ceasefire nobody wants to talk about",
    author="Elena Marsh",
    outlet="The Northern Review",
    paragraphs=(
        "Three winters into the war, the front line has barely moved.",
        "Critics will call this appeasement. It is not. A ceasefire stops the killing.",
    ),
)
SAMPLE_TEXTS = (
    "This is propaganda. Marsh is an idiot who has never been near the front.",
    '"Critics will call this appeasement. It is not." Yes it is, just like 1938.',
    "What about the bombing of cities by the other side? The UN says 500,000 died.",
    "I agree with most of this; a ceasefire that saves lives is worth trying.",
    "",
    "   \n\t ",
    "😀😀😀 🔥🔥",
    "Это пропаганда. これは宣伝です. هذا دعاية",
    "y0u @re a c0mplete 1d10t",
    "word " * 20_000,  # ~100 KB
)


def sample_contexts(embed: bool = False) -> list[CommentContext]:
    comments = [
        Comment(id=f"c{i}", thread_id=SAMPLE_ARTICLE.id, text=t, position=i) for i, t in enumerate(SAMPLE_TEXTS)
    ]
    contexts = [
        CommentContext(comment=c, article=SAMPLE_ARTICLE, ancestors=(comments[0],) if i == 3 else ())
        for i, c in enumerate(comments)
    ]
    if embed:
        vectors, states = shared_embedder().encode_with_states([c.text for c in contexts])  # as the pipeline does
        contexts = [
            CommentContext(c.comment, c.article, c.ancestors, c.findings, v, s)
            for c, v, s in zip(contexts, vectors, states, strict=True)
        ]
    return contexts


def check_analyser(analyser: Analyser, contexts: Sequence[CommentContext] | None = None) -> list[Finding]:
    """Run the conformance suite; returns the findings on the sample batch for further assertions."""
    _check_declarations(analyser)
    params = get_params(analyser)
    analyser.setup()
    assert analyser.setup() is analyser, "setup() must return self"
    assert get_params(analyser) == params, f"{analyser.name}: setup() changed constructor parameters"
    batch = list(contexts) if contexts is not None else sample_contexts(analyser.needs_embedding)
    assert list(analyser.analyse([])) == [], f"{analyser.name}: an empty batch must give no findings"
    first = list(analyser.analyse(batch))
    assert first == list(analyser.analyse(batch)), f"{analyser.name}: output is not deterministic"
    _check_findings(analyser, batch, first)
    clone = pickle.loads(pickle.dumps(analyser))
    assert list(clone.analyse(batch)) == first, f"{analyser.name}: a pickled copy gives other findings"
    return first


def _check_declarations(analyser: Analyser) -> None:
    for attribute in ("name", "version", "requires", "labels", "needs_embedding"):
        assert hasattr(type(analyser), attribute), f"analyser must declare {attribute!r}"
    assert analyser.name and analyser.version and analyser.labels, "name, version and labels must be set"


def _check_findings(analyser: Analyser, batch: Sequence[CommentContext], findings: list[Finding]) -> None:
    texts = {c.comment.id: c.comment.text for c in batch}
    for item in findings:
        where = f"{analyser.name}: finding {item.label!r} on {item.comment_id}"
        assert item.comment_id in texts, f"{where} is for a comment not in the batch"
        assert item.analyser == analyser.name and item.analyser_version == analyser.version, f"{where}: not stamped"
        assert item.label in analyser.labels, f"{where}: label not declared in {analyser.labels}"
        assert 0.0 <= item.score <= 1.0, f"{where}: score {item.score} outside [0, 1]"
        for span in item.spans:
            assert span.fits(texts[item.comment_id]), f"{where}: span {span} outside the text"

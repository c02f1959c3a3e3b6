"""Check-worthy claims grouped when near-duplicates, each group linked to the article sentence it answers.

The claims analyser links a claim to an article sentence when they are close in meaning (cosine ≥ its
``link_at``). A group without such a link is shown with the article's closest sentence when that is
still reasonably close (``NEAREST_AT``), marked as found here rather than by the analyser.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from threadwise.analysers.claims import article_sentences, relation
from threadwise.analysers.embed import shared_embedder
from threadwise.model import Finding, Thread
from threadwise.report.model import Claim, ClaimGroup
from threadwise.report.offsets import paragraph_at, paragraph_starts

SAME_CLAIM_AT = 0.8  # cosine from which two claims count as near-duplicates
NEAREST_AT = 0.45  # cosine from which the closest article sentence is shown for an unlinked group


def group_claims(thread: Thread, findings: Sequence[Finding]) -> list[ClaimGroup]:
    """Groups of near-duplicate claims, largest first (then the most check-worthy)."""
    items = sorted((f for f in findings if f.analyser == "claims" and f.spans), key=lambda f: -f.score)
    if not items:
        return []
    claims = [_claim(thread, f) for f in items]
    vectors = shared_embedder().encode([c.text for c in claims])
    members: list[list[int]] = []
    heads = np.zeros_like(vectors)  # each group's first (most check-worthy) claim, filled in as groups open
    for i, vector in enumerate(vectors):
        similar = heads[: len(members)] @ vector
        best = int(np.argmax(similar)) if len(members) else -1
        if best >= 0 and similar[best] >= SAME_CLAIM_AT:
            members[best].append(i)
        else:
            heads[len(members)] = vector
            members.append([i])
    sentences = _article_sentences(thread)
    groups = [_group(thread, [items[i] for i in m], [claims[i] for i in m], vectors[m[0]], sentences) for m in members]
    return sorted(groups, key=lambda g: (-g.size, -g.claims[0].score))


def _claim(thread: Thread, item: Finding) -> Claim:
    comment = thread.get_comment(item.comment_id)
    span = item.spans[0]
    return Claim(comment.id, comment.label, comment.text[span.start:span.end], round(item.score, 3))


def _group(thread: Thread, items: list[Finding], claims: list[Claim], vector: np.ndarray,
           sentences: tuple[list[tuple[int, int]], np.ndarray]) -> ClaimGroup:
    starts = paragraph_starts(thread.article.paragraphs)
    linked = next((f for f in items if f.detail.get("article_sentence")), None)
    if linked is not None:
        d = linked.detail
        return ClaimGroup(claims, d["article_sentence"], paragraph_at(starts, int(d["article_span"][0])),
                          d.get("relation"), d.get("similarity"), "analyser")
    nearest = _nearest_sentence(sentences, vector)
    if nearest is None:
        return ClaimGroup(claims, None, None, None, None, None)
    (start, end), similarity = nearest
    sentence = thread.article.text[start:end]
    return ClaimGroup(claims, sentence, paragraph_at(starts, start), relation(claims[0].text, sentence, similarity),
                      round(similarity, 4), "nearest")


def _nearest_sentence(sentences: tuple[list[tuple[int, int]], np.ndarray],
                      vector: np.ndarray) -> tuple[tuple[int, int], float] | None:
    spans, vectors = sentences
    if not spans:
        return None
    similarities = vectors @ vector
    best = int(np.argmax(similarities))
    return (spans[best], float(similarities[best])) if similarities[best] >= NEAREST_AT else None


def _article_sentences(thread: Thread) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The article's sentences and their vectors, without the republication notice and other one-liners."""
    text = thread.article.text
    spans = [(s, e) for s, e in article_sentences(thread.article) if len(text[s:e].split()) >= 4]
    return spans, shared_embedder().encode([text[s:e] for s, e in spans])

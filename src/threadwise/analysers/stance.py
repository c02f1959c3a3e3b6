"""Stance of a comment toward the article and, for replies, toward its parent comment.

One pairwise model scores (comment, target) pairs: the target is the article (title + lead, plus the
paragraph most similar to the comment) or, for a reply, the parent comment. Features are the comment's
MiniLM vector, its cosine with the target, hand cues ("?", negation, "fake", "source", "agree"…) alone and
multiplied by that cosine (a denial of something on topic is not a denial of something else), and hashed
word 1-2-grams. The elementwise product / |difference| of the two vectors was tried and dropped: with
only 272 source tweets to learn from it memorised topics and lost 4-5 points on the dev split.
A multinomial logistic regression (``threadwise.train.stance``) gives four temperature-calibrated
probabilities. Evidence spans are the comment n-grams that pushed the winning label most.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Self

import numpy as np

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.embed import DIMENSIONS, shared_embedder
from threadwise.analysers.heads import load_head
from threadwise.model import Article, Finding, Span

STANCES = ("support", "deny", "query", "comment")
HASH_BITS = 12
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[?!]")
_HAS_WORD = re.compile(r"[^\W_]")
_CUES = {
    "negation": re.compile(r"\b(?:not|no|never|nothing|isn'?t|aren'?t|wasn'?t|don'?t|doesn'?t|didn'?t|can'?t)\b"),
    "falsity": re.compile(r"\b(?:fake|hoax|false|lies?|lying|liar|untrue|nonsense|rubbish|propaganda|debunked)\b"),
    "evidence": re.compile(r"\b(?:source|sources|proof|evidence|confirm\w*|verified|really|citation|link)\b"),
    "agreement": re.compile(r"\b(?:agree\w*|exactly|true|right|yes|indeed|well said|spot on|correct)\b"),
    "disagreement": re.compile(r"\b(?:wrong|disagree\w*|misleading|ridiculous|absurd|incorrect)\b"),
    "question_word": re.compile(r"^\W*(?:who|what|why|how|when|where|is|are|was|did|does|do|can|will)\b"),
    "url": re.compile(r"https?://|www\."),
}
N_CUES = len(_CUES) + 2  # the regex cues, the question-mark count and the length
MAX_CHARS = 5000  # cues past the first 5,000 characters add cost, not signal


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word and ?/! tokens with their character offsets in ``text``."""
    return [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text[:MAX_CHARS])]


def _bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) & ((1 << HASH_BITS) - 1)


def grams(text: str) -> list[tuple[int, int, int]]:
    """(hash bucket, start, end) of every word 1- and 2-gram in the text."""
    toks = tokens(text)
    out = [(_bucket(t), s, e) for t, s, e in toks]
    out += [(_bucket(a[0] + " " + b[0]), a[1], b[2]) for a, b in itertools.pairwise(toks)]
    return out


def cue_features(text: str) -> np.ndarray:
    """Hand-written cues (counts squashed to [0, 1]) followed by binary hashed n-grams."""
    lowered = text[:MAX_CHARS].lower()
    dense = [min(1.0, len(p.findall(lowered)) / 2) for p in _CUES.values()]
    dense += [min(1.0, lowered.count("?") / 2), min(1.0, np.log1p(len(lowered.split())) / 6)]
    hashed = np.zeros(1 << HASH_BITS, dtype=np.float32)
    for bucket, _, _ in grams(text):
        hashed[bucket] = 1.0
    return np.concatenate([np.asarray(dense, dtype=np.float32), hashed])


def target_vector(comment: np.ndarray, paragraphs: np.ndarray) -> np.ndarray:
    """The target as one vector: its lead paragraph plus the paragraph closest to the comment."""
    best = paragraphs[int(np.argmax(paragraphs @ comment))]
    joined = paragraphs[0] + best
    return (joined / max(float(np.linalg.norm(joined)), 1e-9)).astype(np.float32)


def pair_features(comment: np.ndarray, target: np.ndarray, text: str) -> np.ndarray:
    """The feature row for one (comment, target) pair; training and inference share this function.

    Layout: comment vector (384), cosine (1), dense cues (N_CUES), cosine x dense cues, hashed n-grams."""
    cosine = float(comment @ target)
    cues = cue_features(text)
    return np.concatenate([comment, [cosine], cues[:N_CUES], cosine * cues[:N_CUES], cues[N_CUES:]]).astype(np.float32)


def article_paragraphs(article: Article | None) -> tuple[str, ...]:
    """Title + first paragraph as the lead, then the remaining paragraphs (empty when there is no text)."""
    if article is None:
        return ()
    paragraphs = [p for p in article.paragraphs if p.strip()]
    lead = "\n".join(p for p in (article.title or "", paragraphs[0] if paragraphs else "") if p.strip())
    return tuple(p for p in (lead, *paragraphs[1:]) if p)


class StanceAnalyser:
    """Support / deny / query / comment toward the article, and toward the parent for replies."""

    name: ClassVar[str] = "stance"
    version: ClassVar[str] = "1.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = (*STANCES, *(f"parent_{s}" for s in STANCES))
    needs_embedding: ClassVar[bool] = True

    def __init__(self, head: str = "stance", max_spans: int = 3, span_min_weight: float = 0.02) -> None:
        self.head = head
        self.max_spans = max_spans
        self.span_min_weight = span_min_weight

    def setup(self) -> Self:
        if getattr(self, "coef_", None) is None:
            arrays, meta = load_head(self.head)
            self.coef_: np.ndarray = arrays["coef"]
            self.intercept_: np.ndarray = arrays["intercept"]
            self.mean_: np.ndarray = arrays["mean"]
            self.scale_: np.ndarray = arrays["scale"]
            self.temperature_: float = float(meta["temperature"])
            self.classes_: tuple[str, ...] = tuple(meta["classes"])
        return self

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities (columns in ``classes_`` order) for feature rows."""
        logits = ((rows - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        logits = logits / self.temperature_
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        self.setup()
        out: list[Finding] = []
        for context in batch:
            if not _HAS_WORD.search(context.text):
                continue  # nothing to read a stance from (empty, whitespace, emoji-only)
            out.extend(self._analyse_one(context))
        return out

    def _analyse_one(self, context: CommentContext) -> list[Finding]:
        embedder = shared_embedder()
        vector = context.embedding if context.embedding is not None else embedder.encode([context.text])[0]
        found = []
        paragraphs = article_paragraphs(context.article)
        if paragraphs:
            target = target_vector(vector, embedder.encode(list(paragraphs)))
            found.append(self._finding(context, vector, target, "", "article"))
        parent = context.parent
        if parent is not None and _HAS_WORD.search(parent.text):
            target = embedder.encode([parent.text])[0]
            found.append(self._finding(context, vector, target, "parent_", parent.id))
        return found

    def _finding(self, context: CommentContext, vector: np.ndarray, target: np.ndarray, prefix: str,
                 toward: str) -> Finding:
        row = pair_features(vector, target, context.text)
        proba = self.predict_proba(row[None, :])[0]
        best = int(np.argmax(proba))
        detail: dict[str, Any] = {
            "toward": toward,
            "probabilities": {c: round(float(p), 4) for c, p in zip(self.classes_, proba, strict=True)},
            "similarity": round(float(vector @ target), 4),
        }
        spans = self._evidence(context.text, row, best)
        return finding(self, context, prefix + self.classes_[best], float(proba[best]), spans=spans, detail=detail)

    def _evidence(self, text: str, row: np.ndarray, label: int) -> tuple[Span, ...]:
        """The cue matches and n-grams that pushed ``label`` up most, relative to the other labels.

        The model is linear, so a feature's push is exactly weight x value; a regex cue's push (alone and
        times the cosine) is shared by the places it matched, an n-gram's is its own."""
        weights = self.coef_ / self.scale_
        relative = weights[label] - weights.mean(axis=0)
        scored: dict[tuple[int, int], float] = {}
        lowered = text[:MAX_CHARS].lower()
        patterns = [*_CUES.values(), re.compile(r"\?")]
        for i, pattern in enumerate(patterns):
            cue, cross = DIMENSIONS + 1 + i, DIMENSIONS + 1 + N_CUES + i  # see pair_features' layout
            push = relative[cue] * row[cue] + relative[cross] * row[cross]
            for m in pattern.finditer(lowered):
                key = (m.start(), m.end())
                scored[key] = scored.get(key, 0.0) + float(push)
        offset = row.shape[0] - (1 << HASH_BITS)
        for bucket, start, end in grams(text):
            scored[(start, end)] = scored.get((start, end), 0.0) + float(relative[offset + bucket])
        top = sorted(((w, s, e) for (s, e), w in scored.items() if w >= self.span_min_weight and e > s), reverse=True)
        chosen: list[tuple[int, int]] = []
        for _, start, end in top:
            if len(chosen) < self.max_spans and all(end <= s or start >= e for s, e in chosen):
                chosen.append((start, end))
        return tuple(Span(s, e, "cue") for s, e in sorted(chosen))

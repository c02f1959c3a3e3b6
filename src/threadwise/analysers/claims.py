"""Check-worthy factual claims: which sentences of a comment state something a fact-checker could check.

Each sentence is scored by a logistic-regression head (trained on CLEF CheckThat! 2024 Task 1, see
``heads/claims/MODEL_CARD.md``) over the sentence's MiniLM vector, hashed word 1-2-grams and a few cue
features (numbers, percentages, money, "according to"…). In the pipeline the sentence's vector is pooled from the
comment's own pass (the sentence in its context: ``TokenStates.span_vector``), so claims cost no encoder pass of
their own; a text analysed alone, or a sentence past the pass's truncation, is embedded by itself. The head is
trained on both kinds of vector. Sentences above the threshold tuned on the dev
split become ``check_worthy_claim`` findings, linked to the most similar article sentence when one is close
enough: ``repeats`` (says the same), ``disputes`` (same content but a negation or a number differs) or
``related``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Self

import numpy as np
from scipy import sparse

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.embed import DIMENSIONS, shared_embedder
from threadwise.analysers.hashing import TextHasher
from threadwise.analysers.heads import load_head
from threadwise.model import Article, Finding, Span

HASH_FEATURES = 2**14
MAX_WORDS = 152
# Stateless: the same text hashes to the same columns at training and at inference.
_HASHER = TextHasher(HASH_FEATURES, ngram_range=(1, 2), binary=True)

# --- sentence splitting ------------------------------------------------------------------------------------

_END = re.compile(r"[.!?…]+[\"'”’»)\]]*|\n")
_ABBREVIATIONS = frozenset(
    (
        "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "no", "jr", "sr",
        "gen", "gov", "sen", "rep", "corp", "inc", "ltd", "approx", "fig"
    )
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_HAS_WORD = re.compile(r"\w")


def split_sentences(text: str, max_sentences: int = 200) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``, whitespace trimmed; pieces without a word are dropped.

    A rule splitter (no model download): a run of ``.!?…`` (with closing quotes/brackets) followed by
    whitespace ends a sentence unless the word before it is a known abbreviation or a single letter;
    a newline always ends one.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            following = text[end : end + 1]
            if following and not following.isspace():
                continue  # "3.5", "U.S.A", "...and" — not a boundary
            if match.group().startswith(".") and _is_abbreviation(text, match.start()):
                continue
        _add_span(spans, text, start, end)
        start = end
        if len(spans) >= max_sentences:
            return spans
    _add_span(spans, text, start, len(text))
    return spans[:max_sentences]


def _is_abbreviation(text: str, dot: int) -> bool:
    before = _WORD_BEFORE.search(text[max(0, dot - 12) : dot])
    if before is None:
        return False
    word = before.group(1).lower().strip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not _HAS_WORD.search(stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))


# --- features ----------------------------------------------------------------------------------------------

_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\d",
        r"\d\s*%|\bper ?cent\b",
        r"[$£€]\s*\d|\b(dollars?|pounds|euros)\b",
        r"\b(million|billion|trillion|thousand|hundred)s?\b",
        r"\b(1[89]|20)\d\d\b",  # a year
        r"\baccording to\b|\b(reports?|study|studies|survey|poll|data|statistics)\b",
        r"\b(more|less|fewer|higher|lower|increase[ds]?|decrease[ds]?|doubled|tripled|cut|raised?)\b",
        r"\b(I think|I believe|I feel|in my opinion|should|must|need to|let me|we will|I will)\b",
        r"\?$",
        r"\b(voted?|passed|signed|law|bill|tax(es)?|jobs?|unemployment|deficit|debt)\b",
    )
)


def cue_features(text: str) -> list[float]:
    """Hand-picked cues of a checkable statement, plus log length in words."""
    stripped = text.strip()
    cues = [1.0 if pattern.search(stripped) else 0.0 for pattern in _CUES]
    # Clipped at the longest training sentence (152 words), so a 100 KB run-on cannot push the score off the scale.
    return [*cues, float(np.log1p(min(len(stripped.split()), MAX_WORDS)))]


def claim_features(texts: Sequence[str], embeddings: np.ndarray) -> sparse.csr_matrix:
    """The head's input: [embedding | hashed 1-2-grams | cues], one row per sentence."""
    hashed = _HASHER.transform(list(texts))
    cues = sparse.csr_matrix(np.array([cue_features(t) for t in texts], dtype=np.float32).reshape(len(texts), -1))
    return sparse.hstack([sparse.csr_matrix(embeddings), hashed, cues], format="csr")


# --- linking to the article --------------------------------------------------------------------------------

_NEGATION = re.compile(r"\b(not|no|never|none|nobody|nothing|neither|nor|isn't|aren't|wasn't|weren't|don't|"
                       r"doesn't|didn't|won't|can't|cannot|false|wrong|lie|untrue)\b|n['’]t\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")


def relation(claim: str, sentence: str, similarity: float, repeat_at: float = 0.85) -> str:
    """``disputes`` when the texts share content but one negates or the numbers differ, ``repeats`` when
    they are near-identical in meaning, else ``related``. Deliberately simple cues, not an NLI model."""
    claim_numbers = {n.strip(".,") for n in _NUMBER.findall(claim)}
    sentence_numbers = {n.strip(".,") for n in _NUMBER.findall(sentence)}
    negation_differs = bool(_NEGATION.search(claim)) != bool(_NEGATION.search(sentence))
    numbers_differ = bool(claim_numbers and sentence_numbers and claim_numbers.isdisjoint(sentence_numbers))
    if negation_differs or numbers_differ:
        return "disputes"
    return "repeats" if similarity >= repeat_at else "related"


def _degenerate(sentence: str) -> bool:
    """Spam-like repetition ("word word word …"): never a claim, whatever the head would say about it."""
    words = sentence.lower().split()
    return len(words) >= 10 and len(set(words)) < 0.25 * len(words)


def article_sentences(article: Article) -> list[tuple[int, int]]:
    """Sentence spans into ``article.text`` (paragraphs joined by blank lines)."""
    return split_sentences(article.text, max_sentences=2000)


# --- the analyser ------------------------------------------------------------------------------------------


class ClaimsAnalyser:
    """Flags check-worthy sentences and links each to the closest article sentence."""

    name: ClassVar[str] = "claims"
    version: ClassVar[str] = "1.0.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("check_worthy_claim",)
    # Sentences are scored, on vectors pooled from the comment's pass (``CommentContext.token_states``).
    needs_embedding: ClassVar[bool] = True

    def __init__(self, threshold: float | None = None, link_at: float = 0.6, max_sentences: int = 50) -> None:
        self.threshold = threshold  # None: the threshold tuned on the dev split, stored with the head
        self.link_at = link_at
        self.max_sentences = max_sentences

    def setup(self) -> Self:
        if getattr(self, "coef_", None) is None:
            arrays, meta = load_head(self.name)
            self.coef_ = arrays["coef"].astype(np.float64)
            self.intercept_ = float(arrays["intercept"][0])
            self.threshold_ = float(meta["threshold"] if self.threshold is None else self.threshold)
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        """One ``check_worthy_claim`` finding per sentence scoring at or above the threshold."""
        if not batch:
            return []
        self.setup()
        sentences = [(c, s, e) for c in batch for s, e in split_sentences(c.text, self.max_sentences)
                     if not _degenerate(c.text[s:e])]
        if not sentences:
            return []
        texts = [c.text[s:e] for c, s, e in sentences]
        in_context = [c.token_states.span_vector(s, e) if c.token_states is not None else None
                      for c, s, e in sentences]
        probabilities = self.score(texts, in_context)
        claims = [(*sentence, text, float(probability))
                  for sentence, text, probability in zip(sentences, texts, probabilities, strict=True)
                  if probability >= self.threshold_]
        # The link compares the claim by itself with the article's sentences by themselves: a claim that is its whole
        # comment already has that vector (the comment's); the others are embedded in one call.
        linked = [(context, text) for context, _, _, text, _ in claims
                  if context.article and context.article.paragraphs]
        vectors = {text: context.embedding for context, text in linked
                   if context.embedding is not None and text == context.text.strip()}
        alone = list(dict.fromkeys(text for _, text in linked if text not in vectors))
        vectors |= dict(zip(alone, shared_embedder().encode(alone), strict=True)) if alone else {}
        article_cache: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
        return [finding(self, context, "check_worthy_claim", probability, spans=(Span(start, end, "claim"),),
                        detail=self._link(context.article, text, vectors[text], article_cache) if text in vectors
                        else {})
                for context, start, end, text, probability in claims]

    def score(self, texts: Sequence[str], vectors: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
        """Calibrated probability that each sentence is check-worthy; ``vectors[i]``, when given, is the vector of
        ``texts[i]`` in its context, else the sentence is embedded alone."""
        self.setup()
        given = list(vectors) if vectors is not None else [None] * len(texts)
        embeddings = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        alone = [i for i, vector in enumerate(given) if vector is None]
        if alone:
            embeddings[alone] = shared_embedder().encode([texts[i] for i in alone])
        for i, vector in enumerate(given):
            if vector is not None:
                embeddings[i] = vector
        logits = claim_features(texts, embeddings) @ self.coef_ + self.intercept_
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    def _link(self, article: Article | None, claim: str, claim_vector: np.ndarray,
              cache: dict[str, tuple[list[tuple[int, int]], np.ndarray]]) -> dict[str, Any]:
        if article is None or not article.paragraphs:
            return {}
        if article.id not in cache:
            spans = article_sentences(article)
            text = article.text
            cache[article.id] = (spans, shared_embedder().encode([text[s:e] for s, e in spans]))
        spans, vectors = cache[article.id]
        if not spans:
            return {}
        similarities = vectors @ claim_vector
        best = int(np.argmax(similarities))  # argmax takes the first of ties: deterministic
        similarity = float(similarities[best])
        if similarity < self.link_at:
            return {}
        start, end = spans[best]
        sentence = article.text[start:end]
        return {"article_sentence": sentence, "article_span": [start, end],
                "relation": relation(claim, sentence, similarity), "similarity": round(similarity, 4)}

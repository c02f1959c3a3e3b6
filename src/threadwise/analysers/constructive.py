"""Constructiveness and topicality of a comment.

``constructive``: probability from a logistic-regression head (trained on the SFU Constructiveness and
Toxicity Corpus, see ``heads/constructive/MODEL_CARD.md``) over the MiniLM comment embedding, length,
sentence count and argument cues (because, evidence, numbers, questions, suggestions).

``on_topic``: cosine similarity between the comment and its article (title + paragraphs, embedded once per
article per call), mapped to [0, 1] by a logistic curve fitted on a proxy task — SFU comments against the
title of their own article vs the title of another one. ``detail.similarity`` keeps the raw cosine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import numpy as np

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.claims import split_sentences
from threadwise.analysers.embed import shared_embedder
from threadwise.analysers.heads import load_head
from threadwise.model import Article, Finding

_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(because|since|therefore|thus|hence|so that|due to|as a result)\b",
        r"\b(evidence|data|study|studies|research|report|statistics|according to|source)\b",
        r"\d",
        r"\?",
        r"\b(should|could|would|need to|must|solution|instead|propose|suggest|better)\b",
        r"\b(however|although|but|while|on the other hand|whereas)\b",
        r"\b(i think|i believe|in my opinion|imo|i agree|i disagree)\b",
        r"!",
        r"\b(idiot|stupid|moron|liar|dumb|pathetic|loser|fool)s?\b",
    )
)
_WORD = re.compile(r"\w+")
HAND_FEATURES = 4 + len(_CUES)


def hand_features(text: str) -> list[float]:
    """Length and cue features of one comment (unscaled; the head stores their mean and scale)."""
    words = _WORD.findall(text)
    letters = [ch for ch in text if ch.isalpha()]
    caps = sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0
    return [
        float(np.log1p(len(words))),
        float(np.log1p(len(split_sentences(text)))),
        float(np.log1p(np.mean([len(w) for w in words]))) if words else 0.0,
        caps,
        *(float(len(p.findall(text)) > 0) for p in _CUES),
    ]


def article_text(article: Article) -> str:
    """What ``on_topic`` compares against: the title and the body (the embedder truncates long ones)."""
    return "\n\n".join(part for part in (article.title or "", article.text) if part.strip())


class ConstructiveAnalyser:
    """Scores how constructive a comment is and how close it stays to its article."""

    name: ClassVar[str] = "constructive"
    version: ClassVar[str] = "1.0.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("constructive", "on_topic")
    needs_embedding: ClassVar[bool] = True

    def __init__(self, topic: bool = True) -> None:
        self.topic = topic

    def setup(self) -> Self:
        if getattr(self, "coef_", None) is None:
            arrays, meta = load_head(self.name)
            self.coef_ = arrays["coef"].astype(np.float64)
            self.intercept_ = float(arrays["intercept"][0])
            self.mean_ = arrays["mean"].astype(np.float64)
            self.scale_ = arrays["scale"].astype(np.float64)
            self.topic_slope_ = float(meta["topic_curve"]["slope"])
            self.topic_offset_ = float(meta["topic_curve"]["offset"])
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        """A ``constructive`` probability for every comment with words; ``on_topic`` when it has an article."""
        self.setup()
        contexts = [c for c in batch if _WORD.search(c.text)]
        if not contexts:
            return []
        embeddings = self._embeddings(contexts)
        probabilities = self.probability([c.text for c in contexts], embeddings)
        articles: dict[str, np.ndarray | None] = {}
        found: list[Finding] = []
        for context, vector, probability in zip(contexts, embeddings, probabilities, strict=True):
            found.append(finding(self, context, "constructive", float(probability)))
            topic = self._on_topic(context, vector, articles) if self.topic else None
            if topic is not None:
                found.append(finding(self, context, "on_topic", topic[0], detail={"similarity": topic[1]}))
        return found

    def probability(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Calibrated probability that each comment is constructive."""
        self.setup()
        return 1.0 / (1.0 + np.exp(-(self.features(texts, embeddings) @ self.coef_ + self.intercept_)))

    def features(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """[embedding | standardised hand features], one row per comment."""
        hand = np.array([hand_features(t) for t in texts], dtype=np.float64).reshape(len(texts), HAND_FEATURES)
        return np.hstack([embeddings.astype(np.float64), (hand - self.mean_) / self.scale_])

    def topic_score(self, similarity: float) -> float:
        """The fitted logistic curve from raw cosine to [0, 1]."""
        return float(1.0 / (1.0 + np.exp(-(self.topic_slope_ * similarity + self.topic_offset_))))

    @staticmethod
    def _embeddings(contexts: Sequence[CommentContext]) -> np.ndarray:
        if all(c.embedding is not None for c in contexts):
            return np.stack([np.asarray(c.embedding, dtype=np.float32) for c in contexts])
        return shared_embedder().encode([c.text for c in contexts])  # used outside the pipeline

    def _on_topic(self, context: CommentContext, vector: np.ndarray,
                  articles: dict[str, np.ndarray | None]) -> tuple[float, float] | None:
        article = context.article
        if article is None:
            return None
        if article.id not in articles:
            text = article_text(article)
            articles[article.id] = shared_embedder().encode([text])[0] if text else None
        article_vector = articles[article.id]
        if article_vector is None:
            return None
        similarity = round(float(np.dot(vector, article_vector)), 4)
        return self.topic_score(similarity), similarity


"""Scoring one comment for the API: every toxicity score plus the evidence spans, loaded once per app.

Kept apart from the wire formats (``perspective.py``) because the pre-moderation and Coral routes of
later slices score comments the same way and only render the result differently.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Self

import numpy as np

from threadwise.analysers.base import CommentContext
from threadwise.analysers.embed import Embedder, shared_embedder
from threadwise.analysers.toxicity import CATEGORIES, ToxicityAnalyser
from threadwise.model import Comment, Span

LABELS = ("toxicity", *CATEGORIES)


@dataclass(frozen=True)
class CommentScores:
    """Every score of one comment (``scores``), and per label the evidence spans the analyser gave it."""

    scores: dict[str, float]
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    readable: bool = True  # False: a script the models cannot read (the analyser's language_unsupported)


class CommentScorer:
    """The toxicity analyser, fast tier (text only) by default or accurate tier (with the MiniLM embedding).

    ``setup()`` loads the heads (and, for the accurate tier, the embedding model) so the first request
    does not pay for it; ``score`` is then safe to call from the server's worker threads.
    """

    def __init__(self, accurate: bool = False) -> None:
        self.accurate = accurate
        self.analyser_ = ToxicityAnalyser()
        self.embedder_: Embedder | None = None
        # The embedder's cache is an unsynchronised OrderedDict; one lock keeps worker threads off it together.
        self._embed_lock = threading.Lock()

    def setup(self) -> Self:
        self.analyser_.setup()
        if self.accurate and self.embedder_ is None:
            self.embedder_ = shared_embedder().setup()
        return self

    @property
    def tier(self) -> str:
        return "accurate" if self.accurate else "fast"

    def score(self, text: str) -> CommentScores:
        """All scores and evidence spans for one comment text (nothing is stored)."""
        embedding = self._embed(text)
        comment = Comment(id="comment", thread_id="api", text=text, position=0)
        findings = list(self.analyser_.analyse([CommentContext(comment, embedding=embedding)]))
        if any(f.label == "language_unsupported" for f in findings):
            return CommentScores(scores={}, readable=False)
        vectors = None if embedding is None else embedding[None, :]
        (scores,) = self.analyser_.category_scores([text], vectors)
        # Findings carry the spans the analyser would show a moderator; a label it did not report (below
        # its threshold) has a score but no evidence.
        spans = {f.label: f.spans for f in findings if f.label in LABELS}
        return CommentScores(scores=scores, spans=spans)

    def _embed(self, text: str) -> np.ndarray | None:
        if self.embedder_ is None:
            return None
        with self._embed_lock:
            return np.asarray(self.embedder_.encode([text])[0])

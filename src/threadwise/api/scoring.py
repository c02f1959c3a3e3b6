"""Scoring one comment for the API: every toxicity score plus the evidence spans, loaded once per app.

Kept apart from the wire formats (``perspective.py``) because the pre-moderation and Coral routes of
later slices score comments the same way and only render the result differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from threadwise.analysers.base import CommentContext
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
    """The toxicity analyser behind the Perspective-style routes. Both tiers read the same fine-tuned conduct
    model (one int8 pass, within the routes' latency budget); ``accurate`` only names the tier in answers.

    ``setup()`` loads the model so the first request does not pay for it; ``score`` is then safe to call from
    the server's worker threads (the analyser locks its reading cache).
    """

    def __init__(self, accurate: bool = False) -> None:
        self.accurate = accurate
        self.analyser_ = ToxicityAnalyser()

    def setup(self) -> Self:
        self.analyser_.setup()
        self.analyser_.category_scores(["warm-up"])  # loads the one-comment session: the first request has it
        return self

    @property
    def tier(self) -> str:
        return "accurate" if self.accurate else "fast"

    def score(self, text: str) -> CommentScores:
        """All scores and evidence spans for one comment text (nothing is stored)."""
        comment = Comment(id="comment", thread_id="api", text=text, position=0)
        findings = list(self.analyser_.analyse([CommentContext(comment)]))
        if any(f.label == "language_unsupported" for f in findings):
            return CommentScores(scores={}, readable=False)
        (scores,) = self.analyser_.category_scores([text])
        # Findings carry the spans the analyser would show a moderator; a label it did not report (below
        # its threshold) has a score but no evidence.
        spans = {f.label: f.spans for f in findings if f.label in LABELS}
        return CommentScores(scores=scores, spans=spans)

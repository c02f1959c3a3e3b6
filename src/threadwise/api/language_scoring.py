"""Which language the Perspective route scores a comment in, and the scores in that language.

Perspective's ``languages`` names the comment's language; without it, Perspective identifies it and
answers ``detectedLanguages``. Here: a request naming only served languages is scored in the first;
naming any other is refused as Perspective refuses it (``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE``, the
language named). Without ``languages`` the comment's identified language decides the same way, through
the same routing as pre-moderation (``analysers.language_routing.route``): English, or uncertain → the
English model; a multilingual head's language → that model; any other confidently identified language →
refused with that language named.

Kept out of ``perspective.py`` (the wire format) so that the route calls one function.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from threadwise.analysers.base import CommentContext
from threadwise.analysers.language_routing import ENGLISH_ROUTE, letter_count, route
from threadwise.analysers.multilingual_toxicity import MultilingualToxicityAnalyser
from threadwise.api.scoring import LABELS, CommentScorer, CommentScores
from threadwise.language import ENGLISH, detect_language, primary_subtag
from threadwise.model import Comment

_lock = threading.Lock()
_multilingual: MultilingualToxicityAnalyser | None = None


@dataclass(frozen=True)
class LanguageScoring:
    """``scores`` in ``language``, or ``refused``: the languages no model here serves (then no scores)."""

    language: str
    detected: str | None  # what identification said, when the request named no language
    scores: CommentScores | None = None
    refused: list[str] = field(default_factory=list)


def multilingual_scorer() -> MultilingualToxicityAnalyser:
    """One loaded multilingual analyser per process (its heads are read-only; encoding is serialised)."""
    global _multilingual
    with _lock:
        if _multilingual is None:
            _multilingual = MultilingualToxicityAnalyser().warm_up()
        return _multilingual


def served_languages() -> tuple[str, ...]:
    return (ENGLISH, *multilingual_scorer().languages)


def score_in_language(scorer: CommentScorer, text: str, requested: Sequence[str]) -> LanguageScoring:
    """Score ``text`` in the requested language (the first of ``requested``) or the identified one."""
    served = served_languages()
    if requested:
        refused = [code for code in requested if primary_subtag(code) not in served]
        if refused:
            return LanguageScoring(primary_subtag(requested[0]), None, refused=refused)
        language, detected = primary_subtag(requested[0]), None
    else:
        identified = detect_language(text)
        detected = identified.code
        if route(identified, served[1:], letter_count(text)) == ENGLISH_ROUTE:
            language = ENGLISH
        elif identified.code in served:
            language = identified.code
        else:
            return LanguageScoring(identified.code, detected, refused=[identified.code])
    if language == ENGLISH:
        return LanguageScoring(ENGLISH, detected, scorer.score(text))
    return LanguageScoring(language, detected, _score_multilingual(text, language))


def _score_multilingual(text: str, language: str) -> CommentScores:
    """Every score, and the evidence spans the analyser would show a moderator for the labels it reports."""
    analyser = multilingual_scorer()
    (scores,) = analyser.score_texts([text])
    comment = Comment(id="comment", thread_id="api", text=text, position=0)
    findings = [f for f in analyser.explain(CommentContext(comment), language, scores) if f.label in LABELS]
    return CommentScores(scores={k: scores[k] for k in LABELS}, spans={f.label: f.spans for f in findings})

"""AnalyzeComment as Perspective answers it, apart from HTTP: check the request, score, render.

Checks come in Perspective's order (attributes, the comment, the context, languages) with its messages
(``2-api/methods.md`` and ``2-api/limits.md`` of conversationai/perspectiveapi). The scores come from
the toxicity analyser's public interface through ``CommentScorer``; spans leave here in UTF-16 code
units of the text the client sent (``comment_text``).
"""

from __future__ import annotations

from typing import Any

from threadwise.api.comment_text import HtmlText, Utf16Offsets
from threadwise.api.language_scoring import score_in_language
from threadwise.api.perspective_errors import PerspectiveError
from threadwise.api.perspective_wire import (
    PROBABILITY,
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    AttributeScoresOut,
    Context,
    ScoreOut,
    SpanScoreOut,
    TextEntry,
)
from threadwise.api.scoring import CommentScorer, CommentScores
from threadwise.perspective_attributes import ATTRIBUTES

UNDETERMINED = "und"  # what Perspective reports when it cannot tell the language (biohazard-alert #20)
MAX_COMMENT_BYTES = 20 * 1024  # Perspective's documented limit ("Comment text too long.")
SERVED_SCORE_TYPES = (None, "SCORE_TYPE_UNSPECIFIED", PROBABILITY)


def analyze(body: AnalyzeCommentRequest, scorer: CommentScorer) -> AnalyzeCommentResponse:
    """Validate as Perspective does, score the comment in its language, render Perspective's response."""
    attributes = requested_attributes(body)
    source, scored = comment_text(body.comment)
    check_context(body.context)
    languages = [code for code in body.languages or () if code]
    drop = bool(body.dropUnsupportedAttributes)
    # Which language, and its model's scores: api/language_scoring.py (the named language, else the identified one).
    chosen = score_in_language(scorer, scored.text if isinstance(scored, HtmlText) else source, languages)
    if chosen.refused:
        if not drop:
            detected = [chosen.detected] if chosen.detected else None
            raise language_refusal(attributes[0], chosen.refused, requested=languages, detected=detected)
        return _response(body, languages, {}, detected=chosen.detected or "")  # nothing detected when named
    result = chosen.scores
    assert result is not None
    if not result.readable:
        # A script the heads cannot read: a number here would look confident and mean nothing.
        if not drop:
            raise language_refusal(attributes[0], [UNDETERMINED], requested=languages, detected=[UNDETERMINED])
        return _response(body, languages, {}, detected=UNDETERMINED)
    offsets = Utf16Offsets(source)
    scores = {name: _attribute_scores(body, name, result, source, scored, offsets) for name in attributes}
    return _response(body, languages, {name: s for name, s in scores.items() if s is not None},
                     detected=chosen.language)


def requested_attributes(body: AnalyzeCommentRequest) -> list[str]:
    if not body.requestedAttributes:
        raise PerspectiveError("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    for name, params in body.requestedAttributes.items():
        if name not in ATTRIBUTES:
            raise PerspectiveError(f"Unknown requested attribute: {name}")
        if params.scoreType not in SERVED_SCORE_TYPES:
            raise PerspectiveError(f"Requested score type {params.scoreType} is not supported by attribute {name}")
    return list(body.requestedAttributes)


def comment_text(comment: TextEntry | None) -> tuple[str, HtmlText | None]:
    """The text as sent, and for an HTML comment its visible text with the way back to the HTML."""
    source = comment.text if comment and comment.text else ""
    check_length(source)
    visible = HtmlText.parse(source) if comment is not None and comment.is_html else None
    if not (visible.text.strip() if visible is not None else source):
        raise PerspectiveError("Comment must be non-empty.", "COMMENT_EMPTY")
    return source, visible


def check_length(text: str) -> None:
    """Perspective's limit on a comment as sent (AnalyzeComment and SuggestCommentScore alike)."""
    if len(text.encode("utf-8")) > MAX_COMMENT_BYTES:
        raise PerspectiveError("Comment text too long.", "COMMENT_TOO_LONG")


def check_context(context: Context | None) -> None:
    """Perspective's Context is a oneof in all but syntax: "The server will return an error if more than
    one of the following fields is present" (its discovery document)."""
    if context is not None and context.entries is not None and context.articleAndParentComment is not None:
        raise PerspectiveError("Context may set only one of entries and articleAndParentComment.")


def language_refusal(attribute: str, languages: list[str], *, requested: list[str],
                     detected: list[str] | None = None) -> PerspectiveError:
    detail: dict[str, Any] = {"attribute": attribute}
    if requested:
        detail["requestedLanguages"] = requested
    if detected:
        detail["detectedLanguages"] = detected
    return PerspectiveError(
        f"Attribute {attribute} does not support request languages: {', '.join(languages)}",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        languageNotSupportedByAttributeError=detail,
    )


def _response(body: AnalyzeCommentRequest, languages: list[str], scores: dict[str, AttributeScoresOut],
              detected: str) -> AnalyzeCommentResponse:
    """``languages`` mirrors the request's; without one, it and ``detectedLanguages`` give what was detected."""
    return AnalyzeCommentResponse(
        attributeScores=scores,
        languages=languages or [detected],
        detectedLanguages=None if languages else [detected],
        clientToken=body.clientToken,
    )


def _attribute_scores(body: AnalyzeCommentRequest, name: str, result: CommentScores, source: str,
                      visible: HtmlText | None, offsets: Utf16Offsets) -> AttributeScoresOut | None:
    label = ATTRIBUTES[name]
    value = result.scores[label]
    threshold = body.requestedAttributes[name].scoreThreshold if body.requestedAttributes else None
    if threshold is not None and value < threshold:
        return None  # Perspective leaves out an attribute scoring below the caller's threshold
    score = ScoreOut(value=value)
    spans = result.spans.get(label, ()) if body.spanAnnotations else ()
    if not spans:
        # No evidence finer than the comment: one span over the whole text, as Perspective answers then.
        return AttributeScoresOut(summaryScore=score, spanScores=[SpanScoreOut(begin=0, end=offsets.length,
                                                                               score=score)])
    out = []
    for span in spans:
        start, end = visible.source_span(span.start, span.end) if visible else (span.start, span.end)
        out.append(SpanScoreOut(begin=offsets[start], end=offsets[end], score=score))
    return AttributeScoresOut(summaryScore=score, spanScores=out)

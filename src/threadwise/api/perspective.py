"""Perspective-compatible ``POST /v1alpha1/comments:analyze``: a Perspective client switches by base URL.

The contract follows Perspective's public documentation (github.com/conversationai/perspectiveapi,
``2-api/methods.md`` for request, response, ``spanAnnotations`` and ``languages``; ``2-api/limits.md``
for the refusal messages and the ``errorType`` enum). Refusals keep Perspective's wire shape, Google's
standard JSON error with one commentanalyzer ``Error`` detail, as public Perspective clients log and
parse it (e.g. atom/biohazard-alert issues #11 and #20; clients matching ``details[].errorType`` and
``languageNotSupportedByAttributeError``)::

    HTTP 400 {"error": {"code": 400, "message": "Attribute TOXICITY does not support request languages: de",
              "status": "INVALID_ARGUMENT",
              "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                           "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                           "languageNotSupportedByAttributeError": {"requestedLanguages": ["de"],
                                                                    "attribute": "TOXICITY"}}]}}

A body that is not JSON or has wrong types is refused earlier, in threadwise's own envelope (``errors.py``).
``doNotStore`` is accepted and honoured trivially: this route stores nothing, whatever its value.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from threadwise.api.auth import Principal, perspective_access
from threadwise.api.language_scoring import score_in_language
from threadwise.api.scoring import CommentScorer, CommentScores
from threadwise.model import Span

# Perspective attribute → the toxicity analyser's label.
ATTRIBUTES = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "INSULT": "insult",
    "PROFANITY": "profanity",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
}
UNDETERMINED = "und"  # what Perspective reports when it cannot tell the language (biohazard-alert #20)
MAX_COMMENT_BYTES = 20 * 1024  # Perspective's documented limit ("Comment text too long.")
PROBABILITY = "PROBABILITY"
ERROR_DETAIL_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


class TextEntry(BaseModel):
    text: str = Field(default="", description="The comment, UTF-8 plain text (at most 20 KB).")
    type: str = Field(default="PLAIN_TEXT", description='Only "PLAIN_TEXT", as on Perspective.')


class AttributeParameters(BaseModel):
    scoreType: str = PROBABILITY
    scoreThreshold: float | None = Field(default=None, description="Leave the attribute out when its score is below.")


class AnalyzeCommentRequest(BaseModel):
    """Perspective's AnalyzeComment request; unknown fields (context, sessionId, communityId) are ignored."""

    comment: TextEntry = Field(default_factory=TextEntry)
    requestedAttributes: dict[str, AttributeParameters] = Field(
        default_factory=dict, description=f"Any of {', '.join(ATTRIBUTES)}, each with {{}} or parameters."
    )
    spanAnnotations: bool = Field(default=False, description="Score the evidence spans, not only the whole text.")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes: en, de, es, fr, it, nl, pl, "
                                 "pt, ru are served; without it the comment's language is identified.")
    doNotStore: bool = Field(default=False, description="Accepted; nothing is stored either way.")
    clientToken: str | None = Field(default=None, description="Echoed in the response.")
    dropUnsupportedAttributes: bool = False


class Score(BaseModel):
    value: float
    type: str = PROBABILITY


class SpanScore(BaseModel):
    begin: int = Field(description="Offset in Unicode code points into comment.text.")
    end: int
    score: Score


class AttributeScores(BaseModel):
    summaryScore: Score
    spanScores: list[SpanScore]


class AnalyzeCommentResponse(BaseModel):
    attributeScores: dict[str, AttributeScores]
    languages: list[str]
    detectedLanguages: list[str] | None = None
    clientToken: str | None = None


class PerspectiveError(Exception):
    """A refusal in Perspective's shape: 400 INVALID_ARGUMENT with a typed detail."""

    def __init__(self, message: str, error_type: str = "INVALID_REQUEST", **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.detail = detail

    def body(self) -> dict[str, Any]:
        detail = {"@type": ERROR_DETAIL_TYPE, "errorType": self.error_type, **self.detail}
        return {"error": {"code": 400, "message": self.message, "status": "INVALID_ARGUMENT", "details": [detail]}}


async def on_perspective_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PerspectiveError)
    return JSONResponse(error.body(), status_code=400)


router = APIRouter(tags=["Perspective-compatible"])


@router.post(
    "/v1alpha1/comments:analyze",
    response_model=AnalyzeCommentResponse,
    response_model_exclude_none=True,
    responses={400: {"description": "Perspective's error shape: unknown attribute, unsupported language, "
                                    "empty or too long comment"}},
)
def analyze_comment(
    body: AnalyzeCommentRequest, request: Request, _: Annotated[Principal | None, Depends(perspective_access)]
) -> AnalyzeCommentResponse:
    """Score a comment as Perspective's AnalyzeComment does: a summary score per requested attribute
    and span scores (the analyser's evidence spans when ``spanAnnotations`` is true)."""
    return analyze(body, request.app.state.scorer)


def analyze(body: AnalyzeCommentRequest, scorer: CommentScorer) -> AnalyzeCommentResponse:
    """The route's work, apart from HTTP: validate as Perspective does, score, render."""
    _check_request(body)
    first = next(iter(body.requestedAttributes))
    # Which language, and its model's scores: api/language_scoring.py (issue 14).
    scored = score_in_language(scorer, body.comment.text, body.languages)
    if scored.refused:
        if not body.dropUnsupportedAttributes:
            detected = [scored.detected] if scored.detected else None
            raise _language_refusal(first, scored.refused, requested=body.languages, detected=detected)
        return _response(body, {}, detected=scored.detected or "")
    result = scored.scores
    assert result is not None
    if not result.readable:
        # A script the heads cannot read: a number here would look confident and mean nothing.
        if not body.dropUnsupportedAttributes:
            raise _language_refusal(first, [UNDETERMINED], requested=body.languages, detected=[UNDETERMINED])
        return _response(body, {}, detected=UNDETERMINED)
    scores = {name: _attribute_scores(body, name, result) for name in body.requestedAttributes}
    return _response(body, {name: s for name, s in scores.items() if s is not None}, detected=scored.language)


def _response(body: AnalyzeCommentRequest, scores: dict[str, AttributeScores], detected: str) -> AnalyzeCommentResponse:
    """``languages`` mirrors the request's; without one, it and ``detectedLanguages`` give what was detected."""
    return AnalyzeCommentResponse(
        attributeScores=scores,
        languages=body.languages or [detected],
        detectedLanguages=None if body.languages else [detected],
        clientToken=body.clientToken,
    )


def _check_request(body: AnalyzeCommentRequest) -> None:
    """Perspective's refusals, in the order it checks them: attributes, then the comment."""
    if not body.requestedAttributes:
        raise PerspectiveError("Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES")
    for name, params in body.requestedAttributes.items():
        if name not in ATTRIBUTES:
            raise PerspectiveError(f"Unknown requested attribute: {name}")
        if params.scoreType != PROBABILITY:
            raise PerspectiveError(f"Requested score type {params.scoreType} is not supported by attribute {name}")
    if body.comment.type != "PLAIN_TEXT":
        raise PerspectiveError("Currently, only 'PLAIN_TEXT' comments are supported")
    if not body.comment.text:
        raise PerspectiveError("Comment must be non-empty.", "COMMENT_EMPTY")
    if len(body.comment.text.encode("utf-8")) > MAX_COMMENT_BYTES:
        raise PerspectiveError("Comment text too long.", "COMMENT_TOO_LONG")


def _language_refusal(attribute: str, languages: list[str], *, requested: list[str],
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


def _attribute_scores(body: AnalyzeCommentRequest, name: str, result: CommentScores) -> AttributeScores | None:
    label = ATTRIBUTES[name]
    value = result.scores[label]
    threshold = body.requestedAttributes[name].scoreThreshold
    if threshold is not None and value < threshold:
        return None  # Perspective leaves out an attribute scoring below the caller's threshold
    spans = result.spans.get(label, ()) if body.spanAnnotations else ()
    return AttributeScores(summaryScore=Score(value=value), spanScores=_span_scores(body.comment.text, value, spans))


def _span_scores(text: str, value: float, spans: tuple[Span, ...]) -> list[SpanScore]:
    """The evidence spans, each with the attribute's score (the heads score the comment, and a span is
    the evidence for that score); with no evidence, one span over the whole text, as Perspective
    answers when it has nothing finer."""
    if not spans:
        return [SpanScore(begin=0, end=len(text), score=Score(value=value))]
    return [SpanScore(begin=s.start, end=s.end, score=Score(value=value)) for s in spans]


"""SuggestCommentScore: a moderator's verdict, sent as a score, kept per community for ``threadwise calibrate``.

Perspective's own rules for the request (its discovery document): ``attributeScores`` must not be empty,
nor any of its AttributeScores; every Score is set explicitly (0 and 1 for a yes/no verdict; a missing
type means PROBABILITY); every SpanScore has ``begin`` and ``end``. Any attribute name is accepted, as
Coral sends whichever model its admin typed; calibration reads the ones threadwise scores.

Coral (``services/perspective/perspective.ts``) posts one on every approval (0) and rejection (1) with
``communityId: "Coral:<tenant URL>"``, ``clientToken: "comment:<id>"`` and one context entry whose text
is JSON naming ``Coral_comment_id``; that id is kept so a row can be traced to the comment in Coral.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from threadwise.api.perspective_analyze import SERVED_SCORE_TYPES, check_context, check_length
from threadwise.api.perspective_errors import PerspectiveError
from threadwise.api.perspective_wire import (
    AttributeScores,
    Score,
    SuggestCommentScoreRequest,
    SuggestCommentScoreResponse,
)
from threadwise.store import ScoreSuggestion, Store


def suggest(body: SuggestCommentScoreRequest, store: Store, sender: str) -> SuggestCommentScoreResponse:
    """Check the suggestion as Perspective does, store it (one row per attribute), answer."""
    store.add_score_suggestions(suggestions_of(body, sender, datetime.now(UTC)))
    return SuggestCommentScoreResponse(clientToken=body.clientToken, requestedLanguages=body.languages or None)


def suggestions_of(body: SuggestCommentScoreRequest, sender: str, now: datetime) -> list[ScoreSuggestion]:
    """The rows a valid request stores; raises PerspectiveError for an invalid one."""
    text = body.comment.text if body.comment and body.comment.text else ""
    if not text:
        raise PerspectiveError("Comment must be non-empty.", "COMMENT_EMPTY")
    check_length(text)
    check_context(body.context)
    if not body.attributeScores:
        raise PerspectiveError("attribute_scores must not be empty.")
    context = body.context.model_dump(exclude_none=True) if body.context else None
    common = {
        "community": body.communityId or "", "text": text, "received_at": now, "sender": sender,
        "text_type": body.comment.type if body.comment and body.comment.type == "HTML" else "PLAIN_TEXT",
        "languages": tuple(body.languages or ()), "client_token": body.clientToken, "session_id": body.sessionId,
        "source_comment_id": source_comment_id(body), "context": context,
    }  # fmt: skip
    return [ScoreSuggestion(attribute=name, **_scores(name, scores), **common)  # type: ignore[arg-type]
            for name, scores in body.attributeScores.items()]


def _scores(name: str, scores: AttributeScores) -> dict[str, object]:
    if scores.summaryScore is None and not scores.spanScores:
        raise PerspectiveError(f"AttributeScores for {name} must not be empty.")
    spans = []
    for span in scores.spanScores or ():
        if span.begin is None or span.end is None:
            raise PerspectiveError(f"Every span score of {name} must set begin and end.")
        if not 0 <= span.begin <= span.end:
            raise PerspectiveError(f"Span score of {name} has begin {span.begin} after end {span.end}.")
        spans.append((span.begin, span.end, _value(name, span.score)))
    value = _value(name, scores.summaryScore) if scores.summaryScore is not None else max(s[2] for s in spans)
    return {"value": value, "spans": tuple(spans)}


def _value(name: str, score: Score | None) -> float:
    if score is None or score.value is None:
        raise PerspectiveError(f"Every score of {name} must set its value.")
    if score.type not in SERVED_SCORE_TYPES:
        raise PerspectiveError(f"Score type {score.type} is not supported by attribute {name}")
    if not 0.0 <= score.value <= 1.0:
        raise PerspectiveError(f"A PROBABILITY score of {name} must be in [0, 1], not {score.value}.")
    return score.value


def source_comment_id(body: SuggestCommentScoreRequest) -> str | None:
    """The client's comment id: Coral's ``Coral_comment_id`` in a JSON context entry, else its clientToken."""
    for entry in (body.context.entries or ()) if body.context else ():
        try:
            named = json.loads(entry.text or "")
        except ValueError:
            continue
        if isinstance(named, dict) and isinstance(named.get("Coral_comment_id"), str):
            return str(named["Coral_comment_id"])
    return body.clientToken

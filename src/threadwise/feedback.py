"""Moderators' feedback (Perspective SuggestCommentScore) as records: for admins, exports and calibration.

The shells (``GET /v1/feedback``, ``threadwise feedback``) call these; ``calibrate`` reads the same rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from threadwise.errors import UnknownFeedbackFormat
from threadwise.store import ScoreSuggestion, Store

FEEDBACK_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "community", "attribute", "value", "decision", "text", "text_type", "languages",
               "source_comment_id", "client_token", "session_id", "sender", "received_at")  # fmt: skip


def feedback_record(suggestion: ScoreSuggestion) -> dict[str, Any]:
    """One stored suggestion as plain JSON values (what the API answers and ``jsonl`` exports)."""
    return {
        "id": suggestion.id, "community": suggestion.community, "attribute": suggestion.attribute,
        "value": suggestion.value, "decision": suggestion.decision, "text": suggestion.text,
        "text_type": suggestion.text_type, "languages": list(suggestion.languages),
        "spans": [list(s) for s in suggestion.spans], "source_comment_id": suggestion.source_comment_id,
        "client_token": suggestion.client_token, "session_id": suggestion.session_id,
        "context": suggestion.context, "sender": suggestion.sender, "received_at": suggestion.received_at.isoformat(),
    }  # fmt: skip


def communities(store: Store) -> list[dict[str, Any]]:
    """Every community that sent feedback, with its number of suggestions."""
    return [{"community": c, "suggestions": n} for c, n in store.score_suggestion_counts().items()]


def iter_export(store: Store, format: str, community: str | None = None, page: int = 1000) -> Iterator[str]:
    """The stored feedback as ``jsonl`` lines or ``csv`` rows, read a page at a time."""
    if format not in FEEDBACK_FORMATS:
        choices = ", ".join(FEEDBACK_FORMATS)
        raise UnknownFeedbackFormat(f"no feedback export format {format!r}; choose one of {choices}", source=format)
    rows = _pages(store, community, page)
    if format == "jsonl":
        yield from (json.dumps(feedback_record(s), ensure_ascii=False) + "\n" for s in rows)
        return
    yield _csv_line(CSV_COLUMNS)
    for suggestion in rows:
        record = feedback_record(suggestion)
        record["languages"] = ",".join(record["languages"])
        yield _csv_line(record[c] for c in CSV_COLUMNS)


def _pages(store: Store, community: str | None, page: int) -> Iterator[ScoreSuggestion]:
    offset = 0
    while batch := store.score_suggestions(community, limit=page, offset=offset):
        yield from batch
        offset += len(batch)


def _csv_line(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["" if v is None else v for v in values])
    return out.getvalue()

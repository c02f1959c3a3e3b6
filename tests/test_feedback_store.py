"""Stored score suggestions round-trip on SQLite and PostgreSQL, per community, and export as documented."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from threadwise import feedback
from threadwise.errors import UnknownFeedbackFormat
from threadwise.store import ScoreSuggestion, Store

NOW = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)


def suggestion(community: str, value: float, text: str = "Get lost", **extra: object) -> ScoreSuggestion:
    return ScoreSuggestion(community=community, attribute="TOXICITY", value=value, text=text, received_at=NOW,
                           sender="coral", **extra)  # type: ignore[arg-type]


def test_score_suggestions_round_trip_per_community(store: Store) -> None:
    full = suggestion("Coral:https://a.example", 1.0, text="Emoji 😀 and “quotes”", text_type="HTML",
                      languages=("en",), spans=((0, 5, 1.0),), client_token="comment:1", session_id="s",
                      source_comment_id="1", context={"entries": [{"text": "{}"}]})
    ids = store.add_score_suggestions([full, suggestion("forum", 0.0), suggestion("forum", 0.25)])
    assert len(ids) == 3 and ids == sorted(ids)
    (back,) = store.score_suggestions("Coral:https://a.example")
    assert back == replace(full, id=ids[0])
    assert (back.text, back.text_type, back.languages, back.spans) == (full.text, "HTML", ("en",), ((0, 5, 1.0),))
    assert (back.client_token, back.source_comment_id, back.context, back.received_at) == (
        "comment:1", "1", {"entries": [{"text": "{}"}]}, NOW)
    assert back.decision == "reject"
    assert [s.decision for s in store.score_suggestions("forum")] == ["approve", "approve"]
    assert store.score_suggestion_counts() == {"Coral:https://a.example": 1, "forum": 2}
    assert [s.value for s in store.score_suggestions(limit=1, offset=2)] == [0.25]


def test_feedback_exports_every_row_as_jsonl_and_csv(store: Store) -> None:
    store.add_score_suggestions([suggestion("a", 1.0, text='line one\nsaid "hi", then left'), suggestion("b", 0.0)])
    lines = list(feedback.iter_export(store, "jsonl", page=1))  # one row a page: paging must not drop or repeat
    assert [json.loads(line)["community"] for line in lines] == ["a", "b"]
    rows = list(csv.DictReader(io.StringIO("".join(feedback.iter_export(store, "csv")))))
    assert [(r["community"], r["decision"], r["text"]) for r in rows] == [
        ("a", "reject", 'line one\nsaid "hi", then left'), ("b", "approve", "Get lost")]
    with pytest.raises(UnknownFeedbackFormat):
        list(feedback.iter_export(store, "parquet"))

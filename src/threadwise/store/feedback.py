"""Moderators' score suggestions (Perspective's SuggestCommentScore), per community.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public
call in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadwise.store.schema import score_suggestions


@dataclass(frozen=True, slots=True)
class ScoreSuggestion:
    """One moderator's score for one comment and attribute. ``value`` 0 means approved, 1 rejected."""

    community: str
    attribute: str
    value: float
    text: str
    received_at: datetime
    sender: str
    text_type: str = "PLAIN_TEXT"
    languages: tuple[str, ...] = ()
    spans: tuple[tuple[int, int, float], ...] = ()
    client_token: str | None = None
    session_id: str | None = None
    source_comment_id: str | None = None
    context: dict[str, Any] | None = field(default=None, compare=False)
    id: int | None = None

    @property
    def decision(self) -> str:
        """What the moderator did, as threadwise names it: a score of one half or more is a rejection."""
        return "reject" if self.value >= 0.5 else "approve"


def add_suggestions(conn: Connection, suggestions: Sequence[ScoreSuggestion]) -> list[int]:
    ids = []
    for suggestion in suggestions:
        row = {k: v for k, v in asdict(suggestion).items() if k != "id"}
        row.update(decision=suggestion.decision, languages=list(suggestion.languages),
                   spans=[list(s) for s in suggestion.spans])
        key = conn.execute(score_suggestions.insert().values(**row)).inserted_primary_key
        assert key is not None
        ids.append(int(key[0]))
    return ids


def list_suggestions(conn: Connection, community: str | None, limit: int | None, offset: int) -> list[ScoreSuggestion]:
    query = sa.select(score_suggestions).order_by(score_suggestions.c.id).offset(offset)
    if community is not None:
        query = query.where(score_suggestions.c.community == community)
    if limit is not None:
        query = query.limit(limit)
    return [_suggestion(row) for row in conn.execute(query).mappings()]


def community_counts(conn: Connection) -> dict[str, int]:
    c = score_suggestions.c
    query = sa.select(c.community, sa.func.count()).group_by(c.community).order_by(c.community)
    return {community: int(n) for community, n in conn.execute(query)}


def _suggestion(row: Any) -> ScoreSuggestion:
    values = {k: v for k, v in dict(row).items() if k != "decision"}
    values["languages"] = tuple(values["languages"] or ())
    values["spans"] = tuple(tuple(s) for s in values["spans"] or ())
    return ScoreSuggestion(**values)

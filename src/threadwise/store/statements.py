"""Statements of reasons, append-only: every save and every send is a new row, none is ever changed.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public
call in one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadwise.store.schema import statements

STATUSES = ("saved", "sent")


@dataclass(frozen=True, slots=True)
class Statement:
    """What a commenter is (or will be) told about a decision on their comment (DSA Art. 17)."""

    id: str
    comment_id: str
    decision_id: str  # the decision it explains
    status: str  # saved (kept for later) or sent (given to the commenter)
    text: str
    ground: str  # the moderator's own reason for the decision
    automated_detection: bool  # an analyser flagged the comment
    automated_decision: bool  # the decision itself was the machine's
    actor: str
    created_at: datetime


def add_statement(
    conn: Connection, comment_id: str, decision_id: str, status: str, text: str, ground: str,
    automated: tuple[bool, bool], actor: str, now: datetime,
) -> Statement:  # fmt: skip
    made = Statement(uuid.uuid4().hex, comment_id, decision_id, status, text, ground, *automated, actor, now)
    conn.execute(statements.insert().values(
        id=made.id, comment_id=comment_id, decision_id=decision_id, status=status, text=text, ground=ground,
        automated_detection=made.automated_detection, automated_decision=made.automated_decision, actor=actor,
        created_at=now,
    ))  # fmt: skip
    return made


def statements_of(conn: Connection, comment_id: str) -> list[Statement]:
    """Every statement on the comment, oldest first."""
    query = (
        sa.select(statements)
        .where(statements.c.comment_id == comment_id)
        .order_by(statements.c.created_at, statements.c.id)
    )
    return [Statement(**row._asdict()) for row in conn.execute(query)]

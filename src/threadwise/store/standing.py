"""What moderators decided about a commenter, append-only: every ban, suspension, lift and note is a new row.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public call in one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadwise.store.schema import author_actions

# ban and suspend keep the commenter's new comments from being published; premoderate holds each for a person;
# lift ends any of the three; a note changes nothing but is kept with the rest.
AUTHOR_ACTIONS = ("ban", "suspend", "premoderate", "lift", "note")


@dataclass(frozen=True, slots=True)
class AuthorAction:
    id: str
    author_key: str
    action: str
    note: str
    until: datetime | None  # a suspension's end; None for the other actions
    actor: str
    created_at: datetime


def add_author_action(
    conn: Connection, author_key: str, action: str, note: str, until: datetime | None, actor: str, now: datetime
) -> AuthorAction:
    made = AuthorAction(uuid.uuid4().hex, author_key, action, note, until, actor, now)
    conn.execute(author_actions.insert().values(
        id=made.id, author_key=author_key, action=action, note=note, until=until, actor=actor, created_at=now,
    ))  # fmt: skip
    return made


def author_actions_of(conn: Connection, author_key: str) -> list[AuthorAction]:
    """Every action on the commenter, oldest first."""
    query = (
        sa.select(author_actions)
        .where(author_actions.c.author_key == author_key)
        .order_by(author_actions.c.created_at, author_actions.c.id)
    )
    return [AuthorAction(**row._asdict()) for row in conn.execute(query)]

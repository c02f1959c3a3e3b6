"""Commenter identity from the source's account id; statements of reasons saved and sent.

``comments.author_id`` holds the source's own account id; ``author_key`` is ``Comment.author_key``
(the id, else the name within one thread), so history and bulk decisions never merge two readers who
share a display name. Existing rows are given the name-within-thread key. Written by hand to match
``threadwise.store.schema``.

Revision ID: i13_0004
Revises: i12_feedback
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i13_0004"
down_revision: str | None = "i12_feedback"  # chained after issue-12 when merging
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANONYMOUS = ("anonymous", "anon", "guest", "anonymous coward", "unknown", "")


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("author_id", sa.Text()))
        batch.add_column(sa.Column("author_key", sa.Text()))
    op.create_index("ix_comments_author_key", "comments", ["author_key"])
    comments = sa.table("comments", sa.column("author"), sa.column("thread_id"), sa.column("author_key"))
    named = sa.and_(comments.c.author.is_not(None), sa.func.lower(sa.func.trim(comments.c.author)).not_in(ANONYMOUS))
    key = sa.literal("name:") + comments.c.thread_id + sa.literal(":") + comments.c.author
    op.execute(comments.update().where(named).values(author_key=key))
    op.create_table(
        "statements",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("decision_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ground", sa.Text(), nullable=False),
        sa.Column("automated_detection", sa.Boolean(), nullable=False),
        sa.Column("automated_decision", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
    )
    op.create_index("ix_statements_comment_id", "statements", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_statements_comment_id", table_name="statements")
    op.drop_table("statements")
    op.drop_index("ix_comments_author_key", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("author_key")
        batch.drop_column("author_id")

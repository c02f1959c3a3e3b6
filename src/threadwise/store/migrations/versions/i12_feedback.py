"""Moderators' score suggestions (Perspective SuggestCommentScore), kept per community.

Written by hand to match ``threadwise.store.schema.score_suggestions``.

Revision ID: i12_feedback
Revises: i11_webhook_outbox
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i12_feedback"
down_revision: str | None = "i11_webhook_outbox"  # chained after issue-11 when merging
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_suggestions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.Text(), nullable=False),
        sa.Column("attribute", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_type", sa.String(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("client_token", sa.Text()),
        sa.Column("session_id", sa.Text()),
        sa.Column("source_comment_id", sa.Text()),
        sa.Column("context", sa.JSON()),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_suggestions"),
    )
    op.create_index("ix_score_suggestions_community", "score_suggestions", ["community"])


def downgrade() -> None:
    op.drop_index("ix_score_suggestions_community", table_name="score_suggestions")
    op.drop_table("score_suggestions")

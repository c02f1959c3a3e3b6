"""Moderation queue: claims (one moderator per comment at a time), reader reports, comments by author.

Written by hand to match ``threadwise.store.schema``, spelling out its types like 0001 does.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_index("ix_comments_author", "comments", ["author"])
    op.create_table(
        "claims",
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("moderator", sa.String(), nullable=False),
        _timestamp("claimed_at", nullable=False),
        _timestamp("expires_at", nullable=False),
        sa.PrimaryKeyConstraint("comment_id", name="pk_claims"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name="fk_claims_comment_id_comments"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("reporter", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        _timestamp("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name="fk_reports_comment_id_comments"),
    )
    op.create_index("ix_reports_comment_id", "reports", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_comment_id", table_name="reports")
    op.drop_table("reports")
    op.drop_table("claims")
    op.drop_index("ix_comments_author", table_name="comments")

"""Initial schema: articles, comments with versions, runs, findings, decisions.

Written by hand to match ``threadwise.store.schema``; migrations spell out their types rather than
import them, so later schema changes cannot alter what this revision creates.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("outlet", sa.Text()),
        sa.Column("title", sa.Text()),
        sa.Column("author", sa.Text()),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("image_credit", sa.Text()),
        sa.Column("author_bio", sa.Text()),
        _timestamp("published_at"),
        sa.Column("source_format", sa.String()),
        _timestamp("ingested_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String()),
        sa.Column("number", sa.String()),
        sa.Column("author", sa.Text()),
        _timestamp("created_at"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Text()),
        _timestamp("first_seen_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.ForeignKeyConstraint(["thread_id"], ["articles.id"], name="fk_comments_thread_id_articles"),
    )
    op.create_index("ix_comments_thread_id", "comments", ["thread_id"])
    op.create_table(
        "comment_versions",
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        _timestamp("seen_at", nullable=False),
        sa.Column("run_id", sa.String()),
        sa.PrimaryKeyConstraint("comment_id", "version", name="pk_comment_versions"),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name="fk_comment_versions_comment_id_comments"
        ),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        _timestamp("started_at", nullable=False),
        _timestamp("finished_at"),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("analyser", sa.String(), nullable=False),
        sa.Column("analyser_version", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("run_id", sa.String()),
        _timestamp("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
    )
    op.create_index("ix_findings_comment_id", "findings", ["comment_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        _timestamp("decided_at", nullable=False),
        sa.Column("supersedes", sa.String()),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_comment_id", "decisions", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_comment_id", table_name="decisions")
    op.drop_table("decisions")
    op.drop_index("ix_findings_comment_id", table_name="findings")
    op.drop_table("findings")
    op.drop_table("runs")
    op.drop_table("comment_versions")
    op.drop_index("ix_comments_thread_id", table_name="comments")
    op.drop_table("comments")
    op.drop_table("articles")

"""What moderators decided about a commenter (ban, suspend, premoderate, lift, note), append-only.

Written by hand to match ``threadwise.store.schema``.

Revision ID: i13s2_author_actions
Revises: i15_run_owner
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i13s2_author_actions"
down_revision: str | None = "i15_run_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "author_actions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("author_key", sa.Text(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True)),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_author_actions"),
    )
    op.create_index("ix_author_actions_author_key", "author_actions", ["author_key"])


def downgrade() -> None:
    op.drop_index("ix_author_actions_author_key", table_name="author_actions")
    op.drop_table("author_actions")

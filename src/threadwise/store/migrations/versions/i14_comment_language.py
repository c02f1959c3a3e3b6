"""The language identified from each comment version's text (issue 14).

Written by hand to match ``threadwise.store.schema``. Rows stored before this revision keep NULL: their
language is identified again whenever they are analysed.

Revision ID: i14_comment_language
Revises: i13_0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_comment_language"
down_revision: str | None = "i13_0004"  # chained after issue-13 when merging
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("comment_versions", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comment_versions") as batch:
        batch.drop_column("language")

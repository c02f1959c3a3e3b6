"""The notice of a republished article ("originally published by … and republished here with permission"), kept
beside the article instead of read as its first paragraph (issue 10's thread: an op-ed republished from another
outlet).

Written by hand to match ``threadwise.store.schema``. Articles stored before this revision have none.

Revision ID: i16_article_republication
Revises: i13s2_author_actions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i16_article_republication"
down_revision: str | None = "i13s2_author_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("republication", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("republication")

"""The process that owns each run (host, pid, start time) and when a later process found it gone (issue 11).

Written by hand to match ``threadwise.store.schema``. Runs stored before this revision have no owner: an
unfinished one reads as state ``unknown``.

Revision ID: i15_run_owner
Revises: i14_comment_language
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i15_run_owner"
down_revision: str | None = "i14_comment_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("host", "pid", "process_started", "interrupted_at")


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("host", sa.String(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("process_started", sa.String(), nullable=True))
        batch.add_column(sa.Column("interrupted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)

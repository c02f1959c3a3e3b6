"""The webhook outbox: events written in the transaction of the decision they announce.

Revision ID: i11_webhook_outbox
Revises: i11_unique_key_names
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i11_webhook_outbox"
down_revision: str | None = "i11_unique_key_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("comment_id", sa.String(), nullable=False),
        sa.Column("decision_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_outbox"),
    )
    op.create_index("ix_webhook_outbox_dispatched_at", "webhook_outbox", ["dispatched_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_outbox_dispatched_at", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")

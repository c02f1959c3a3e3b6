"""API key names are unique: a name in the audit log means one key (decisions record name and key id).

Keys that already share a name keep the oldest's name; each later one gets ``-<its id>`` appended, so
nothing is lost and every key stays usable.

Revision ID: i11_unique_key_names
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i11_unique_key_names"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    keys = sa.table("api_keys", sa.column("id", sa.String), sa.column("name", sa.Text),
                    sa.column("created_at", sa.DateTime(timezone=True)))  # fmt: skip
    seen: set[str] = set()
    for key_id, name in conn.execute(sa.select(keys.c.id, keys.c.name).order_by(keys.c.created_at, keys.c.id)):
        if name in seen:
            conn.execute(keys.update().where(keys.c.id == key_id).values(name=f"{name}-{key_id}"))
        seen.add(name)
    with op.batch_alter_table("api_keys") as batch:
        batch.create_unique_constraint("uq_api_keys_name", ["name"])


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("uq_api_keys_name", type_="unique")

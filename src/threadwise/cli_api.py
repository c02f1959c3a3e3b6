"""CLI for the API side: ``keys create|list|revoke``, ``policy check``, ``moderate``.

Registered in ``cli.py``; thin wrappers over ``api.auth``, ``policy`` and ``moderation``, imported inside
each command so that ``threadwise --help`` does not load the web stack or the analysers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from threadwise import service

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: sqlite:///threadwise.db, or THREADWISE_DB).")
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Moderation policy TOML (default: the packaged one).")
]

keys = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
policy = typer.Typer(help="Moderation policies: check a file before a server uses it.", no_args_is_help=True)


@keys.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="One of: admin, moderator, ingest, read-only.")],
    name: Annotated[str | None, typer.Option("--name", help="Who holds it; moderators' keys name them.")] = None,
    expires_days: Annotated[float | None, typer.Option("--expires-days", help="Expire after this many days.")] = None,
    db: DbOption = None,
) -> None:
    """Make a new API key and print it once: only its hash is stored."""
    from threadwise.api.auth import create_key

    with service.open_store(db) as store:
        raw_key, principal = create_key(store, role, name, expires_in_days=expires_days)
    errors.print(f"key {principal.key_id} ({principal.name}, role {principal.role}); store it now, "
                 "it is not shown again:", highlight=False)
    print(raw_key)


@keys.command("list")
def keys_list(db: DbOption = None) -> None:
    """Every key: id, name, role, state (active, revoked, expired), created."""
    from threadwise.api.auth import list_keys

    with service.open_store(db) as store:
        records = list_keys(store)
    now = datetime.now(UTC)
    table = Table("id", "name", "role", "state", "created", "expires")
    for record in records:
        expires = record.expires_at.isoformat(timespec="seconds") if record.expires_at else ""
        table.add_row(record.id, record.name, record.role, record.state(now),
                      record.created_at.isoformat(timespec="seconds"), expires)  # fmt: skip
    console.print(table)


@keys.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")], db: DbOption = None
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    from threadwise.api.auth import revoke_key

    with service.open_store(db) as store:
        record = revoke_key(store, key_id)
    console.print(f"revoked key {record.id} ({record.name})", highlight=False)


def register(app: typer.Typer) -> None:
    """Add these commands to the main ``threadwise`` app."""
    app.add_typer(keys, name="keys")

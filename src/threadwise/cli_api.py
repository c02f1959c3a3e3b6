"""CLI for the API side: ``keys create|list|revoke``, ``policy check|show``, ``reports add|list``, ``moderate``.

Registered in ``cli.py``; thin wrappers over ``api.auth``, ``policy`` and ``moderation``, imported inside
each command so that ``threadwise --help`` does not load the web stack or the analysers.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from threadwise import service
from threadwise.cli_render import safe

if TYPE_CHECKING:
    from threadwise.api import ApiSettings

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: threadwise.db in the data folder, or THREADWISE_DB).")
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Moderation policy TOML (default: the packaged one).")
]

keys = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
policy = typer.Typer(help="Moderation policies: check a file before a server uses it; show the default.",
                     no_args_is_help=True)
reports = typer.Typer(help="Readers' reports: file one (add), or list the reported queue.", no_args_is_help=True)


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
        table.add_row(record.id, safe(record.name), record.role, record.state(now),
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


@policy.command("check")
def policy_check(path: Annotated[Path, typer.Argument(help="The policy TOML file.")]) -> None:
    """Validate a policy and show its rules; a refused rule (e.g. one on stance or topic) is explained."""
    from threadwise.policy import load_policy

    checked = load_policy(path)
    table = Table("rule", "reads", "at least", "action", title=f"policy {checked.name} v{checked.version}: valid")
    for rule in checked.rules:
        table.add_row(rule.name, f"{rule.analyser}.{rule.label}", f"{rule.min_score:.2f}", rule.action)
    for what, action in (("links", checked.links_action), ("first comment", checked.first_comment_action),
                         ("history", checked.history.action if checked.history else None)):
        if action:
            table.add_row(what, "", "", action)
    console.print(table)
    console.print(f"otherwise: {checked.default_action}", highlight=False)


@policy.command("show")
def policy_show() -> None:
    """Print the packaged default policy (TOML): `threadwise policy show > my-policy.toml` starts your own."""
    from threadwise.policy import DEFAULT_POLICY

    typer.echo(DEFAULT_POLICY.read_text(encoding="utf-8"), nl=False)


def moderate(
    thread: Annotated[str, typer.Argument(help="A stored thread's id (or a unique prefix), or a page file or URL.")],
    policy_file: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """Pre-moderate a thread: analyse every comment and queue it with the policy's suggestion (a page not yet
    stored is stored first)."""
    from threadwise.moderation import premoderate
    from threadwise.policy import load_policy

    checked = load_policy(policy_file)
    stored = service.get_thread(thread, db)
    with service.open_store(db) as store:
        done = premoderate(store, checked, stored)
        counts = store.queue_counts(stored.id)
    numbers = {c.id: c.number or str(c.position + 1) for c in stored.comments}
    table = Table("#", "comment", "suggestion", "reason", title=safe(stored.article.title or stored.id))
    for suggestion in done.suggestions:
        if suggestion.action != "approve":
            table.add_row(safe(numbers[suggestion.comment_id]), safe(suggestion.comment_id), suggestion.action,
                          safe(suggestion.reason))
    console.print(table)
    console.print(f"recorded {len(done.recorded)} suggestions ({len(done.kept)} kept as they were); queues: "
                  + ", ".join(f"{state} {n}" for state, n in counts.items()), highlight=False)


@reports.command("add")
def reports_add(
    comment: Annotated[str, typer.Argument(help="The stored comment's id.")],
    reason: Annotated[str, typer.Option("--reason", help="What the reader says is wrong with it.")],
    reporter: Annotated[str | None, typer.Option("--reporter", help="Who reported it.")] = None,
    db: DbOption = None,
) -> None:
    """File a reader's report: the comment goes to the "reported" queue until a moderator decides it."""
    from threadwise.moderation import report_comment

    with service.open_store(db) as store:
        report_comment(store, comment, reason, reporter)
        item = store.queue_item(comment)
    console.print(f"reported {comment} ({item.report_count} open report{'s' if item.report_count != 1 else ''}); "
                  f"state: {item.state}", highlight=False)  # fmt: skip


@reports.command("list")
def reports_list(db: DbOption = None) -> None:
    """The reported queue: each comment with its open reports' count and reasons."""
    with service.open_store(db) as store:
        items = store.queue("reported", limit=None)
        rows = [(i, store.reports(i.comment.id)[-i.report_count:]) for i in items]
    table = Table("comment", "reports", "reasons", "text", title="reported")
    for item, filed in rows:
        table.add_row(item.comment.id, str(item.report_count), "; ".join(r.reason for r in filed),
                      item.comment.text[:80])  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add these commands to the main ``threadwise`` app."""
    app.add_typer(keys, name="keys")
    app.add_typer(reports, name="reports")
    app.add_typer(policy, name="policy")
    app.command("moderate")(moderate)


def serve_settings(
    *, db: str | None, accurate: bool, max_body_bytes: int, policy: Path | None, open_perspective: bool,
    rate_per_minute: float, coral_budget: float, webhooks: list[str],
) -> ApiSettings:
    """The server's settings from ``serve``'s options and the environment (secrets never on the command line).

    The policy is checked here, so that a bad one stops ``serve`` with its coded error before it listens.
    """
    from threadwise.api import ApiSettings
    from threadwise.policy import load_policy

    load_policy(policy)
    return ApiSettings(
        db=db, accurate=accurate, max_body_bytes=max_body_bytes, open_perspective=open_perspective,
        rate_per_minute=rate_per_minute, policy=str(policy) if policy else None,
        coral_secrets=_secrets("THREADWISE_CORAL_SECRETS"), coral_budget_seconds=coral_budget,
        webhook_urls=tuple(webhooks), webhook_secrets=_secrets("THREADWISE_WEBHOOK_SECRETS"),
    )  # fmt: skip


def _secrets(variable: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in os.environ.get(variable, "").split(",") if s.strip())

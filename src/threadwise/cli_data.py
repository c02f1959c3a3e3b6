"""CLI for what ships beside the code: ``threadwise data`` (the public datasets train, eval and audit read) and
``threadwise example`` (the bundled example page). Registered in ``cli.py``; thin shells."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from threadwise import service
from threadwise.datasets import DatasetStatus

console = Console()


def data(as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False) -> None:
    """List every public dataset that `train`, `eval` and `audit` read: name, what reads it, licence, source,
    the folder it is expected in (THREADWISE_SHARED_DATA) and whether it is there. Nothing is downloaded."""
    statuses = service.data_status()
    if as_json:
        typer.echo(json.dumps([status_record(s) for s in statuses], indent=2))
        return
    console.print(data_table(statuses))
    missing = sum(not s.present for s in statuses)
    where = statuses[0].location.parent if statuses else ""
    console.print(f"{len(statuses) - missing} of {len(statuses)} in place under {escape(str(where))}; "
                  "set THREADWISE_SHARED_DATA to the folder that holds them.", highlight=False)


def status_record(status: DatasetStatus) -> dict[str, object]:
    d = status.dataset
    return {"name": d.name, "title": d.title, "source": d.source, "licence": d.licence, "used_by": list(d.uses),
            "location": str(status.location), "present": status.present, "missing": list(status.missing)}


def data_table(statuses: list[DatasetStatus]) -> Table:
    table = Table(title="public datasets")
    for name in ("dataset", "used by", "licence", "source", "present"):
        table.add_column(name, overflow="fold")
    for s in statuses:
        mark = "[green]yes[/green]" if s.present else f"[red]no[/red] (missing {escape(', '.join(s.missing))})"
        table.add_row(escape(s.dataset.name), escape(", ".join(s.dataset.uses)), escape(s.dataset.licence),
                      escape(s.dataset.source), mark)
    return table


def example() -> None:
    """Print the path of the bundled example page (an op-ed with its numbered comments), to try any command on:
    `threadwise analyze "$(threadwise example)"`."""
    from threadwise.locations import EXAMPLE_PAGE

    typer.echo(str(EXAMPLE_PAGE))


def register(app: typer.Typer) -> None:
    """Add ``data`` and ``example`` to the main command."""
    app.command()(data)
    app.command()(example)

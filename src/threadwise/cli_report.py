"""CLI for the editor's thread report: ``threadwise report`` (registered in ``cli.py``); a thin shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def report(
    thread: Annotated[str, typer.Argument(help="A page file or URL (analysed in memory), or a stored thread id.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: exports/THREAD-report.FORMAT in the data folder).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="html (self-contained page) or json.")] = "html",
    db: Annotated[str | None, typer.Option("--db", help="Database URL, for a stored thread.")] = None,
) -> None:
    """Write the editor's report: article head, stance, incivility, persuasion, claims, topics, neutrality."""
    from threadwise.locations import default_output
    from threadwise.report import write_report  # loads the analysers: only when a report is asked for

    out = write_report(thread, output or default_output(thread, format, tag="-report"), format, db)
    console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the main command."""
    app.command()(report)

"""CLI for corpus-scale analysis: ``threadwise batch`` (registered in ``cli.py``); a thin shell over ``batch``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

console = Console()
errors = Console(stderr=True)


class RateColumn(ProgressColumn):
    """Comments per second over the recent window rich keeps."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} comments/s" if task.speed else "– comments/s", style="cyan")


def batch(
    inputs: Annotated[list[str], typer.Argument(help="JSONL/CSV/Parquet comment files, or folders of pages.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder: a Parquet dataset (OUT.parquet).")],
    articles: Annotated[list[str] | None, typer.Option(
        "--articles", help="JSONL of articles (id = the comments' thread_id; title, paragraphs or text…).")] = None,
    tier: Annotated[str, typer.Option(help="fast: toxicity and quotes only; full: every analyser.")] = "fast",
    analyser: Annotated[list[str] | None, typer.Option(
        "--analyser", "-a", help="Run only these analysers (repeatable).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (the models load once in each).")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://HOST:PORT): run the partitions on that cluster instead.")] = None,
    partition_size: Annotated[int, typer.Option(help="Comments per partition (one part file each).")] = 1000,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted run into the same -o.")] = False,
) -> None:
    """Analyse a corpus into Parquet (one row per finding, one per comment); resumable after a kill."""
    from threadwise.batch import BatchOptions, run_batch
    from threadwise.batch.errors import BatchInputError

    options = BatchOptions(tier=tier, analysers=tuple(analyser) if analyser else None, workers=workers,
                           scheduler=scheduler, partition_size=partition_size, resume=resume)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def show(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:  # starting at ``done``: a resumed run's earlier rows are no speed
                for earlier in tasks.values():
                    progress.remove_task(earlier)
                tasks.clear()
                tasks[phase] = progress.add_task(phase, total=total, completed=done)
            progress.update(tasks[phase], completed=done, total=total)

        summary = run_batch(inputs, output, articles=articles or (), options=options, on_progress=show)
    console.print(f"{summary.comments:,} comments in {summary.partitions:,} partitions ({summary.partitions_run:,} "
                  f"run now, {summary.findings:,} findings) → {summary.out}", soft_wrap=True)
    if summary.corrupt_rows or summary.threads_without_article:
        errors.print(f"{summary.corrupt_rows:,} rows skipped, {summary.threads_without_article:,} threads "
                     f"without article: see {summary.errors_file}", soft_wrap=True)
    if summary.comments == 0:
        raise BatchInputError(f"no row could be analysed; {first_error(summary.errors_file)}",
                              source=", ".join(inputs), fix=f"see every row's reason in {summary.errors_file}")


def first_error(errors_file: Path) -> str:
    """The first refused row, as "FILE line N: REASON", said once rather than for every row alike."""
    import json

    if errors_file.is_file():
        with open(errors_file, encoding="utf-8") as handle:
            for raw in handle:
                record = json.loads(raw)
                if record.get("kind") != "missing_article":
                    where = record.get("source")
                    if record.get("line"):
                        where = f"{where} line {record['line']}"
                    return f"the first, {where}: {record.get('reason')}"
    return "the inputs hold no rows"


def register(app: typer.Typer) -> None:
    """Add ``batch`` to the main command."""
    app.command()(batch)

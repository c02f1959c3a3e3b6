"""The ``threadwise`` command: thin Typer wrappers over ``service``; rendering lives in ``cli_render``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from threadwise import cli_api, cli_audit, cli_batch, cli_data, cli_feedback, cli_report, service
from threadwise.cli_render import (
    analysis_view,
    goals_table,
    interrupted_line,
    metrics_table,
    outcome_line,
    runs_table,
    safe,
    thread_table,
    thread_view,
)
from threadwise.errors import ThreadwiseError
from threadwise.export import EXPORT_FORMATS, TEXT_FORMATS, analysis_record
from threadwise.ingest import FORMATS
from threadwise.locations import default_output

app = typer.Typer(help="Read a news article with its comment section; store, show and export threads.",
                  no_args_is_help=True, rich_markup_mode="rich")
console = Console()
errors = Console(stderr=True)
cli_api.register(app)  # keys, policy check, moderate
cli_batch.register(app)  # batch
cli_report.register(app)  # report
cli_audit.register(app)  # audit
cli_data.register(app)  # data, example
cli_feedback.register(app)  # feedback list|export, calibrate

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: threadwise.db in the data folder, or THREADWISE_DB).")
]


@app.command()
def ingest(
    sources: Annotated[list[str] | None, typer.Argument(help="Files or http(s) URLs of pages or comment exports.")]
    = None,
    db: DbOption = None,
    format: Annotated[str | None, typer.Option(help=f"Skip detection; one of: {', '.join(FORMATS)}.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, when detection gets it wrong.")] = None,
    max_bytes: Annotated[int | None, typer.Option(help="Refuse inputs larger than this (default 20 MB).")] = None,
    resume: Annotated[str | None, typer.Option(help="Ingest again the inputs of this interrupted run "
                                                    "(`threadwise runs` lists them); give no sources.")] = None,
) -> None:
    """Store pages and exports as threads. Each input is its own transaction; bad ones are reported."""
    if bool(sources) == bool(resume):
        raise typer.BadParameter("give the sources to ingest, or --resume RUN (not both)")
    for run in service.interrupted_runs(db):
        errors.print(interrupted_line(run), highlight=False)
    with Progress(console=errors, transient=True, disable=bool(sources) and len(sources or ()) < 2) as progress:
        task = progress.add_task("ingesting", total=len(sources) if sources else None)  # resumed: count unknown here

        def report(outcome: service.IngestOutcome) -> None:
            progress.advance(task)
            (errors if outcome.error or outcome.notes else console).print(outcome_line(outcome))

        if resume:
            outcomes = service.resume_ingest(resume, db=db, on_each=report)
        else:
            outcomes = service.ingest(sources or [], db=db, format=format, encoding=encoding, max_bytes=max_bytes,
                                      on_each=report)
    if service.count_failures(outcomes):
        raise typer.Exit(1)


@app.command()
def runs(db: DbOption = None, limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20) -> None:
    """List the latest ingest and analysis runs with their state; a run whose process died before it finished
    (killed, crashed) shows as interrupted, and `threadwise ingest --resume RUN` finishes an ingest one."""
    console.print(runs_table(service.runs(db, limit)))


@app.command()
def threads(db: DbOption = None) -> None:
    """List stored threads, newest first."""
    console.print(thread_table(service.list_threads(db)))


@app.command()
def show(
    thread: Annotated[str, typer.Argument(help="Thread id (or a unique prefix), or a file/URL to read afresh.")],
    db: DbOption = None,
) -> None:
    """Print the article head and the comment tree, each comment with the page's own number."""
    console.print(thread_view(service.get_thread(thread, db)))


@app.command()
def export(
    thread: Annotated[str, typer.Argument(help="Thread id (or a unique prefix), or a file/URL.")],
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")] = "json",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="File to write (default: exports/THREAD.FORMAT in the data folder); - prints json or "
        "jsonl to standard output (jsonl: the comments, one per line, for jq and sqlite-utils pipelines).")] = None,
    db: DbOption = None,
) -> None:
    """Write a thread as JSON (whole thread), or JSON lines / Parquet (a row per comment + article file)."""
    if format not in EXPORT_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    if output == "-":
        if format not in TEXT_FORMATS:
            raise typer.BadParameter(f"{format} is binary: write it to a file", param_hint="--output")
        sys.stdout.write(service.export_text(thread, format, db))  # nothing else on stdout: a pipe reads only data
        return
    out = Path(output) if output else default_output(thread, format)
    for path in service.export_thread(thread, format, out, db):
        console.print(f"wrote {path}")


@app.command()
def analyze(
    thread: Annotated[str, typer.Argument(help="Thread id (or prefix), or a page file/URL (ingested first).")],
    analyser: Annotated[
        list[str] | None, typer.Option("--analyser", "-a", help="Run only these analysers (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the thread and findings as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Explain every comment: labels, scores and evidence spans; findings are stored under a new run."""
    analysis = service.analyse(thread, db=db, analysers=analyser)
    if as_json:
        console.print_json(data=analysis_record(analysis))
    else:
        console.print(analysis_view(analysis))


@app.command()
def train(
    analyser: Annotated[str | None, typer.Argument(help="One analyser; default: every trainable one.")] = None,
) -> None:
    """Retrain heads reproducibly (fixed seeds) from the public datasets (`threadwise data` lists them); writes
    heads and model cards. Every dataset needed is checked first: a missing one is named, with its source."""
    for name, metrics in service.train(analyser):
        console.print(metrics_table(name, metrics))


@app.command(name="eval")
def evaluate(
    analyser: Annotated[str | None, typer.Argument(help="One analyser; default: every trainable one.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="The quick CI subset.")] = False,
    language: Annotated[str | None, typer.Option(help="Toxicity in one language: de, es, fr, pt, it, nl, pl, ru.")
                        ] = None,
) -> None:
    """Print metrics on held-out data (the figures in docs/EVAL.md); missing datasets are named first."""
    for name, metrics in service.evaluate(analyser, fast=fast, language=language):
        console.print(metrics_table(name, metrics))
        if isinstance(metrics.get("goals"), list):
            console.print(goals_table(name, metrics["goals"]))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on; 0.0.0.0 exposes it to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    db: DbOption = None,
    accurate: Annotated[
        bool,
        typer.Option("--accurate/--fast", help="Fast: pre-moderation runs only the analysers the policy reads. "
                     "Accurate: every analyser. Both score toxicity with the conduct model."),
    ] = False,
    max_body_bytes: Annotated[int, typer.Option(help="Refuse request bodies larger than this (413).")] = 1024 * 1024,
    policy: Annotated[Path | None, typer.Option(help="Moderation policy TOML (default: the packaged one).")] = None,
    open_perspective: Annotated[
        bool, typer.Option(help="Let the Perspective route answer without an API key (rate-limited per address).")
    ] = False,
    rate_per_minute: Annotated[float, typer.Option(help="Requests per minute per API key (0: no limit).")] = 600,
    coral_budget: Annotated[float, typer.Option(help="Seconds the Coral route may take before it abstains.")] = 2.0,
    webhook: Annotated[
        list[str] | None, typer.Option(help="POST queue and decision events here (repeatable); signing secrets "
                                            "from THREADWISE_WEBHOOK_SECRETS, comma-separated, newest first.")
    ] = None,
) -> None:
    """Serve the REST API (/v1: threads, pre-moderation, queue, decisions, audit), the Perspective-compatible
    POST /v1alpha1/comments:analyze and Coral's external moderation phase (POST /coral/moderate, secrets from
    THREADWISE_CORAL_SECRETS); OpenAPI docs at /docs. Create API keys with `threadwise keys create`."""
    # Imported here so the other commands do not pay for loading the web stack.
    import uvicorn

    from threadwise.cli_api import serve_settings

    settings = serve_settings(db=db, accurate=accurate, max_body_bytes=max_body_bytes, policy=policy,
                              open_perspective=open_perspective, rate_per_minute=rate_per_minute,
                              coral_budget=coral_budget, webhooks=webhook or [])
    from threadwise.api import create_app

    uvicorn.run(create_app(settings), host=host, port=port)


def main() -> None:
    """Entry point: coded errors become one readable line and exit status 2."""
    try:
        app()
    except ThreadwiseError as error:
        errors.print(f"[red]error[/red] {safe(str(error))}", highlight=False)
        raise SystemExit(2) from error

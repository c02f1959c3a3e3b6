"""CLI for moderators' feedback: ``feedback list|export`` and ``calibrate``.

Thin wrappers over ``feedback`` and ``calibrate``; the scorer is imported inside ``calibrate`` so that
``threadwise --help`` does not load the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from threadwise import feedback, service
from threadwise.calibrate import DEFAULT_MIN_FEEDBACK, Calibration, calibration_record
from threadwise.cli_api import DbOption

console = Console()

CommunityOption = Annotated[str | None, typer.Option("--community", help="Only this communityId.")]

feedback_app = typer.Typer(help="Moderators' feedback sent to comments:suggestscore: list, export.",
                           no_args_is_help=True)  # fmt: skip


@feedback_app.command("list")
def feedback_list(db: DbOption = None) -> None:
    """Every community that sent feedback, with its number of verdicts."""
    with service.open_store(db) as store:
        rows = feedback.communities(store)
    table = Table("community", "verdicts")
    for row in rows:
        table.add_row(row["community"] or "(none)", str(row["suggestions"]))
    console.print(table)


@feedback_app.command("export")
def feedback_export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    community: CommunityOption = None,
    db: DbOption = None,
) -> None:
    """Write every stored verdict (text, decision, community, Coral's comment id) as JSON Lines or CSV."""
    with service.open_store(db) as store:
        lines = feedback.iter_export(store, format, community)
        if output is None:
            sys.stdout.writelines(lines)
            return
        with output.open("w", encoding="utf-8", newline="") as sink:
            sink.writelines(lines)


def calibrate(
    community: CommunityOption = None,
    threshold: Annotated[list[str] | None, typer.Option(
        "--threshold", help="A threshold the client applies itself, as ATTRIBUTE=SCORE (Coral's toxicity "
                            "threshold: TOXICITY=0.8); repeatable.")] = None,
    min_feedback: Annotated[int, typer.Option(help="Propose a threshold only with this many verdicts.")]
    = DEFAULT_MIN_FEEDBACK,
    policy: Annotated[Path | None, typer.Option(help="Policy whose thresholds to check (default: packaged).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    db: DbOption = None,
) -> None:
    """Per community: how the thresholds in force agree with its moderators' verdicts, and a proposed
    threshold. Reports only: no policy file is changed."""
    from threadwise.api.scoring import CommentScorer
    from threadwise.calibrate import calibrate as run
    from threadwise.calibrate import parse_thresholds
    from threadwise.policy import load_policy

    client = parse_thresholds(threshold or [])
    loaded = load_policy(policy)
    scorer = CommentScorer().setup()
    with service.open_store(db) as store:
        rows = store.score_suggestions(community)

    def scores(text: str) -> dict[str, float] | None:
        result = scorer.score(text)
        return result.scores if result.readable else None  # a script the models cannot read: not counted

    results = run(rows, scores, loaded, client, min_feedback)
    if as_json:
        print(json.dumps([calibration_record(r) for r in results], indent=2))
        return
    for result in results:
        console.print(_calibration_table(result))
    console.print(f"Proposals only: {loaded.source} is unchanged; edit it to adopt one.", highlight=False)


def _calibration_table(result: Calibration) -> Table:
    title = (f"{result.community or '(no community)'} · {result.attribute} · {result.verdicts} verdicts, "
             f"{result.rejected} rejected" + (f", {result.unscored} unscored" if result.unscored else ""))
    table = Table("threshold", "from", "agreement", "held but approved", "passed but rejected", title=title,
                  caption=result.note or None)  # fmt: skip
    for source, measured in result.current:
        table.add_row(f"{measured.threshold:.2f}", f"{source.source} ({source.action})", f"{measured.rate:.1%}",
                      str(measured.held_approved), str(measured.passed_rejected))  # fmt: skip
    if result.proposed:
        p = result.proposed
        table.add_row(f"{p.threshold:.2f}", "proposed", f"{p.rate:.1%}", str(p.held_approved), str(p.passed_rejected))
    return table


def register(app: typer.Typer) -> None:
    """Add these commands to the main ``threadwise`` app."""
    app.add_typer(feedback_app, name="feedback")
    app.command("calibrate")(calibrate)

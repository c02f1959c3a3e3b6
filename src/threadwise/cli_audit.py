"""``threadwise audit``: the neutrality audit, rendered as rich tables (or JSON); exit status 1 when a gate fails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from threadwise.audit import AuditReport, SuiteResult

SUITE_NAMES = ("counterfactual", "identity", "quoting", "panel")  # threadwise.audit.SUITES, without importing it
console = Console()


def register(app: typer.Typer) -> None:
    app.command()(audit)


def audit(
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", "-s", help=f"Run only these suites (repeatable): {', '.join(SUITE_NAMES)}."),
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="The CI subset (gated by tests/test_audit_gates.py).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    policy: Annotated[Path | None, typer.Option(help="Policy TOML to audit (default: the shipped policy).")] = None,
    tier: Annotated[
        str, typer.Option(help="Moderation tier: accurate (CLI, reports) or fast (API pre-moderation); "
                               "both read the conduct model.")
    ] = "accurate",
    thread: Annotated[
        list[str] | None, typer.Option("--thread", "-t", help="Thread files/URLs for the panel (repeatable).")
    ] = None,
) -> None:
    """Neutrality audit: moderation must act on conduct, never on opinion. Prints every suite with pass/fail."""
    # Imported here so that other commands do not pay for loading the analysers.
    from threadwise.audit import check_suites, run_audit
    from threadwise.policy import load_policy

    names = check_suites(suite)  # refuse a typo before minutes of scoring
    report = run_audit(names, fast=fast, policy=load_policy(policy) if policy else None, threads=thread or (),
                       tier=tier)
    if as_json:
        console.print_json(data=report.to_dict())
    else:
        console.print(report_view(report))
    if not report.passed:
        raise typer.Exit(1)


def report_view(report: AuditReport) -> Group:
    verdict = "[green]all gates pass[/green]" if report.passed else "[red]a gate fails[/red]"
    head = f"[bold]Neutrality audit[/bold] · policy {escape(report.policy)} · {'fast' if report.fast else 'full'}"
    return Group(Text.from_markup(f"{head} · {verdict}"), *(suite_view(s) for s in report.suites))


def suite_view(suite: SuiteResult) -> Group:
    status = "[dim]report (no gate)[/dim]" if not suite.checks else "[green]pass[/green]" if suite.passed \
        else "[red]FAIL[/red]"
    table = Table(title=f"{suite.title} · {status}", title_justify="left")
    for column in suite.columns:
        table.add_column(column, justify="left" if column in ("pairs", "level", "source", "group", "thread",
                                                              "stance") else "right")
    for row in suite.rows:
        table.add_row(*(_cell(v) for v in row))
    checks = Table(show_header=True, box=None, padding=(0, 1))
    for name in ("", "check", "value", "gate", "worst"):
        checks.add_column(name, overflow="fold")
    for c in suite.checks:
        mark = "[green]✓[/green]" if c.passed else "[red]✗[/red]"
        checks.add_row(mark, escape(c.name), _figure(c.value, c.unit), _figure(c.threshold, c.unit),
                       "" if c.passed else escape(c.worst))
    notes = Text("\n".join(f"· {n}" for n in suite.notes), style="dim")
    return Group(Text(""), table, *([checks] if suite.checks else []), notes)


def _figure(value: float, unit: str) -> str:
    return f"{value * 100:.1f} {'pp' if unit == 'pp' else '%'}" if unit else f"{value:.3f}"


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:+.3f}" if round(value, 3) < 0 else f"{abs(value):.3f}"
    return escape(str(value))

"""Terminal rendering for the CLI: threads as readable text with rich. No logic, only layout.

Comment text is hostile input: it is escaped before rendering, so it is never read as rich markup, and
made terminal-safe (``terminal_safe``), so its control characters (ESC sequences that retitle the window,
clear the screen or hide text) are shown as visible symbols instead of reaching the terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from threadwise.model import Comment, Finding, Run, Thread

# C0 controls but tab and newline, DEL and C1 controls, and the bidirectional overrides that reorder text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

if TYPE_CHECKING:
    from threadwise.service import Analysis, IngestOutcome
    from threadwise.store import ThreadSummary


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on replaced by one visible symbol (C0 controls by
    their Control Pictures, ␛ for ESC; others by U+FFFD), so evidence span offsets stay valid."""
    return _UNSAFE.sub(_picture, text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def safe(text: str | None) -> str:
    """Untrusted text for rich markup strings: terminal-safe, then markup-escaped."""
    return escape(terminal_safe(text or ""))


def outcome_line(outcome: IngestOutcome) -> str:
    if outcome.error is not None:
        return f"[red]✗[/red] {safe(str(outcome.error))}"
    result = outcome.result
    assert result is not None
    counts = f"{result.added} new, {result.edited} edited, {result.unchanged} unchanged"
    if outcome.notes:  # stored, but not as the reader would expect: a warning, never a tick
        notes = "".join(f"\n  {safe(n)}" for n in outcome.notes)
        where = f"{safe(outcome.source)} → thread [bold]{safe(result.thread_id)}[/bold]"
        return f"[yellow]![/yellow] {where} ({counts}){notes}"
    return f"[green]✓[/green] {safe(outcome.source)} → thread [bold]{safe(result.thread_id)}[/bold] ({counts})"


def thread_table(summaries: list[ThreadSummary]) -> Table:
    table = Table(title="threads")
    table.add_column("id", no_wrap=True, min_width=16)
    for name in ("title", "author", "outlet"):
        table.add_column(name)
    table.add_column("comments", justify="right", no_wrap=True)
    table.add_column("ingested", no_wrap=True)
    for s in summaries:
        table.add_row(safe(s.id), safe(s.title or "—"), safe(s.author or "—"), safe(s.outlet or "—"),
                      str(s.comment_count), f"{s.ingested_at:%Y-%m-%d %H:%M}" if s.ingested_at else "—")
    return table


def runs_table(runs: list[Run]) -> Table:
    table = Table("id", "kind", "started", "state", "inputs", title="runs")
    for run in runs:
        state = run.state()
        if run.finished_at:
            state += f" {run.finished_at:%H:%M:%S}"
        elif run.owner:
            state += f" (pid {run.owner.pid} on {safe(run.owner.host)})"
        sources = run.config.get("sources") or [run.config.get("thread") or "—"]
        table.add_row(safe(run.id), run.kind, f"{run.started_at:%Y-%m-%d %H:%M:%S}", state,
                      safe(", ".join(map(str, sources))))
    return table


def interrupted_line(run: Run) -> str:
    resume = f"; `threadwise ingest --resume {run.id}` ingests its inputs again" if run.kind == "ingest" else ""
    return (f"note: {run.kind} run {safe(run.id)} (started {run.started_at:%Y-%m-%d %H:%M:%S} as pid "
            f"{run.owner.pid if run.owner else '?'}) was interrupted: its process ended before it finished{resume}")


def metrics_table(name: str, metrics: dict[str, object]) -> Table:
    table = Table("metric", "value", title=name, title_justify="left")
    for key, value in metrics.items():
        if key != "goals":
            table.add_row(key, f"{value:.3f}" if isinstance(value, float) else escape(str(value)))
    return table


def goals_table(name: str, goals: list[dict[str, object]]) -> Table:
    """An issue's goal rows: each measure, our figure, the goal and the published anchor on the same cases."""
    table = Table("measure", "ours", "goal", "anchor", "met", title=f"{name}: goals", title_justify="left")
    for g in goals:
        met = {True: "yes", False: "[bold red]no[/]", None: "—"}[g["met"]]  # type: ignore[index]
        table.add_row(escape(str(g["measure"])), escape(str(g["ours"])), escape(str(g["goal"])),
                      escape(str(g["anchor"])), met)
    return table


def thread_view(thread: Thread) -> Group:
    """The article head (title, byline, credit, bio, paragraphs) then the comment tree."""
    return Group(_article_panel(thread), _comment_tree(thread))


def _article_panel(thread: Thread) -> Panel:
    article = thread.article
    head = Text()
    if article.image_credit:
        head.append(f"Photo: {terminal_safe(article.image_credit)}\n", style="dim")
    byline = " / ".join(x for x in (article.author, article.outlet) if x)
    if byline:
        head.append(f"By {terminal_safe(byline)}", style="italic")
    if article.published_at:
        head.append(f" · {article.published_at:%Y-%m-%d}", style="italic")
    if article.republication:
        head.append(f"\n{terminal_safe(article.republication)}", style="dim")
    for paragraph in article.paragraphs:
        head.append(f"\n\n{terminal_safe(paragraph)}")
    if article.author_bio:
        head.append(f"\n\n{terminal_safe(article.author_bio)}", style="dim italic")
    title = safe(article.title or article.url or "(untitled)")
    return Panel(head, title=f"[bold]{title}[/bold]", subtitle=f"thread {safe(thread.id)}", title_align="left")


def _comment_tree(thread: Thread) -> Tree:
    tree = Tree(f"[bold]{len(thread.comments)} comments[/bold]")
    branches: dict[str | None, Tree] = {None: tree}
    for comment in thread.iter_comments():
        branches[comment.id] = branches[comment.parent_id].add(_comment_text(comment))
    return tree


def _comment_text(comment: Comment) -> Text:
    text = Text(terminal_safe(f"#{comment.label}"), style="bold cyan")
    meta = " · ".join(x for x in (comment.author, comment.created_at and f"{comment.created_at:%Y-%m-%d %H:%M}") if x)
    if meta:
        text.append(f"  {terminal_safe(meta)}", style="dim")
    text.append(f"\n{terminal_safe(comment.text)}")
    return text


# --- analysis ---------------------------------------------------------------------------------

_ANALYSER_STYLES = {
    "toxicity": "bold red", "persuasion": "bold yellow", "claims": "underline blue",
    "quotes": "italic green", "target": "bold magenta",
}
_SUMMARY_ANALYSERS = ("stance", "constructive")  # one label each: shown on the summary line
_SHOW_AT = 0.5  # below this a finding without spans is noise on a terminal


def analysis_view(analysis: Analysis) -> Group:
    """Each comment with its number, evidence spans highlighted, then its labels and scores."""
    parts: list[Panel | Text] = [Text(terminal_safe(analysis.thread.article.title or analysis.thread.id), style="bold")]
    for comment in analysis.thread.iter_comments():
        parts.append(_comment_analysis(comment, analysis.findings_for(comment.id), analysis.thread.depth(comment.id)))
    for failure in analysis.failures:
        parts.append(Text(f"analyser {failure.analyser} failed on {len(failure.comment_ids)} comments: "
                          f"{terminal_safe(failure.error)}", style="red"))
    return Group(*parts)


def _comment_analysis(comment: Comment, findings: list[Finding], depth: int) -> Panel:
    body = Text(terminal_safe(comment.text))  # one symbol per character: the span offsets still hold
    for item in findings:
        for span in item.spans:
            body.stylize(_ANALYSER_STYLES.get(item.analyser, "reverse"), span.start, span.end)
    lines = [body, _summary_line(findings), *_finding_lines(comment, findings)]
    title = f"[bold cyan]#{safe(comment.label)}[/bold cyan] {safe(comment.author or '')}"
    return Panel(Group(*lines), title=title, title_align="left", padding=(0, 1), expand=True,
                 subtitle=f"reply depth {depth}" if depth else None)


def _summary_line(findings: list[Finding]) -> Text:
    line = Text(style="dim")
    for item in findings:
        if item.analyser in _SUMMARY_ANALYSERS:
            line.append(f"{item.label} {item.score:.2f}   ")
    return line


def _finding_lines(comment: Comment, findings: list[Finding]) -> list[Text]:
    lines = []
    for item in sorted(findings, key=lambda f: -f.score):
        if item.analyser in _SUMMARY_ANALYSERS or (item.score < _SHOW_AT and not item.spans):
            continue
        quoted = " · ".join(f"«{terminal_safe(comment.text[s.start:s.end][:60])}»" for s in item.spans[:3])
        line = Text(f"  {item.analyser}/{item.label} ", style=_ANALYSER_STYLES.get(item.analyser, ""))
        sure = f" ({item.detail['certainty']})" if isinstance(item.detail.get("certainty"), str) else ""
        line.append(f"{item.score:.2f}{terminal_safe(sure)} {quoted}", style="default")
        lines.append(line)
    return lines

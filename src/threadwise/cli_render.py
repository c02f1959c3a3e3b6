"""Terminal rendering for the CLI: threads as readable text with rich. No logic, only layout.

Comment text is escaped before rendering: it is hostile input and must never be read as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from threadwise.model import Comment, Finding, Thread

if TYPE_CHECKING:
    from threadwise.service import Analysis, IngestOutcome
    from threadwise.store import ThreadSummary


def outcome_line(outcome: IngestOutcome) -> str:
    if outcome.error is not None:
        return f"[red]✗[/red] {escape(str(outcome.error))}"
    result = outcome.result
    assert result is not None
    counts = f"{result.added} new, {result.edited} edited, {result.unchanged} unchanged"
    if outcome.notes:  # stored, but not as the reader would expect: a warning, never a tick
        notes = "".join(f"\n  {escape(n)}" for n in outcome.notes)
        return f"[yellow]![/yellow] {escape(outcome.source)} → thread [bold]{result.thread_id}[/bold] ({counts}){notes}"
    return f"[green]✓[/green] {escape(outcome.source)} → thread [bold]{result.thread_id}[/bold] ({counts})"


def thread_table(summaries: list[ThreadSummary]) -> Table:
    table = Table(title="threads")
    table.add_column("id", no_wrap=True, min_width=16)
    for name in ("title", "author", "outlet"):
        table.add_column(name)
    table.add_column("comments", justify="right", no_wrap=True)
    table.add_column("ingested", no_wrap=True)
    for s in summaries:
        table.add_row(s.id, escape(s.title or "—"), escape(s.author or "—"), escape(s.outlet or "—"),
                      str(s.comment_count), f"{s.ingested_at:%Y-%m-%d %H:%M}" if s.ingested_at else "—")
    return table


def metrics_table(name: str, metrics: dict[str, object]) -> Table:
    table = Table("metric", "value", title=name, title_justify="left")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else escape(str(value)))
    return table


def thread_view(thread: Thread) -> Group:
    """The article head (title, byline, credit, bio, paragraphs) then the comment tree."""
    return Group(_article_panel(thread), _comment_tree(thread))


def _article_panel(thread: Thread) -> Panel:
    article = thread.article
    head = Text()
    if article.image_credit:
        head.append(f"Photo: {article.image_credit}\n", style="dim")
    byline = " / ".join(x for x in (article.author, article.outlet) if x)
    if byline:
        head.append(f"By {byline}", style="italic")
    if article.published_at:
        head.append(f" · {article.published_at:%Y-%m-%d}", style="italic")
    for paragraph in article.paragraphs:
        head.append(f"\n\n{paragraph}")
    if article.author_bio:
        head.append(f"\n\n{article.author_bio}", style="dim italic")
    title = escape(article.title or article.url or "(untitled)")
    return Panel(head, title=f"[bold]{title}[/bold]", subtitle=f"thread {thread.id}", title_align="left")


def _comment_tree(thread: Thread) -> Tree:
    tree = Tree(f"[bold]{len(thread.comments)} comments[/bold]")
    branches: dict[str | None, Tree] = {None: tree}
    for comment in thread.iter_comments():
        branches[comment.id] = branches[comment.parent_id].add(_comment_text(comment))
    return tree


def _comment_text(comment: Comment) -> Text:
    text = Text(f"#{comment.label}", style="bold cyan")
    meta = " · ".join(x for x in (comment.author, comment.created_at and f"{comment.created_at:%Y-%m-%d %H:%M}") if x)
    if meta:
        text.append(f"  {meta}", style="dim")
    text.append(f"\n{comment.text}")
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
    parts: list[Panel | Text] = [Text(f"{analysis.thread.article.title or analysis.thread.id}", style="bold")]
    for comment in analysis.thread.iter_comments():
        parts.append(_comment_analysis(comment, analysis.findings_for(comment.id), analysis.thread.depth(comment.id)))
    for failure in analysis.failures:
        parts.append(Text(f"analyser {failure.analyser} failed on {len(failure.comment_ids)} comments: "
                          f"{failure.error}", style="red"))
    return Group(*parts)


def _comment_analysis(comment: Comment, findings: list[Finding], depth: int) -> Panel:
    body = Text(comment.text)
    for item in findings:
        for span in item.spans:
            body.stylize(_ANALYSER_STYLES.get(item.analyser, "reverse"), span.start, span.end)
    lines = [body, _summary_line(findings), *_finding_lines(comment, findings)]
    title = f"[bold cyan]#{escape(comment.label)}[/bold cyan] {escape(comment.author or '')}"
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
        quoted = " · ".join(f"«{comment.text[s.start:s.end][:60]}»" for s in item.spans[:3])
        line = Text(f"  {item.analyser}/{item.label} ", style=_ANALYSER_STYLES.get(item.analyser, ""))
        line.append(f"{item.score:.2f} {quoted}", style="default")
        lines.append(line)
    return lines

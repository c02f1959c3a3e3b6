"""The report use-case: PATH|THREAD → ``ReportInputs`` → ``Report`` → HTML or JSON.

A page file (or URL) is read and analysed in memory: no database is needed and nothing is stored. A
stored thread uses each comment's findings from its latest analysis run when there are any, else it is
analysed now (in memory); its recorded decisions feed the neutrality panel's hold rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from threadwise.analysers.persuasion import analyse_article
from threadwise.errors import ThreadNotFound
from threadwise.ingest.fetch import is_url
from threadwise.model import Decision, Finding, Thread
from threadwise.report.assemble import ReportInputs, build_report
from threadwise.report.errors import ReportOutputError, ReportSourceNotFound, UnknownReportFormat
from threadwise.report.model import Report
from threadwise.report.render import render_html, render_json
from threadwise.service import analyse_thread, open_store, read_source
from threadwise.store import Store

FORMATS = ("html", "json")


def report_inputs(ref: str, db: str | None = None) -> ReportInputs:
    """What the report for ``ref`` (a page file or URL, or a stored thread id or prefix) is made from."""
    if is_url(ref) or Path(ref).is_file():
        page = read_source(ref)
        if db is None:
            return _analysed(page, ref)
        with open_store(db) as store:  # --db given: the page as stored there, with its moderators' decisions
            return stored_inputs(store, page.id) if store.has_thread(page.id) else _analysed(page, ref)
    with open_store(db) as store:
        try:
            return stored_inputs(store, ref)
        except ThreadNotFound as error:
            raise ReportSourceNotFound(f"{ref!r} is neither a file nor a stored thread ({error.message})",
                                       source=ref) from error


def stored_inputs(store: Store, ref: str) -> ReportInputs:
    """A stored thread's inputs: its latest findings (analysed now if it has none) and its decisions.

    Raises ``ThreadNotFound`` for an unknown id or prefix.
    """
    thread = store.load_thread(store.resolve_thread_id(ref))
    stored = latest_findings(list(store.iter_findings(thread.id)))
    decisions = {i.comment.id: i.decision for i in store.queue(thread_id=thread.id, limit=None)
                 if i.decision is not None}
    if not stored:
        return _analysed(thread, f"thread {thread.id}", decisions)
    return ReportInputs(thread, stored, analyse_article(thread.article), decisions, f"thread {thread.id}")


def latest_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Each comment's findings from its latest run only (runs may cover a thread or single comments)."""
    latest = {f.comment_id: f.run_id for f in findings}  # stored in insertion order: the last run wins
    return [f for f in findings if f.run_id == latest[f.comment_id]]


def _analysed(thread: Thread, source: str, decisions: Mapping[str, Decision] | None = None) -> ReportInputs:
    analysis = analyse_thread(thread)
    failures = [f"{f.analyser}: {f.error} ({len(f.comment_ids)} comments)" for f in analysis.failures]
    return ReportInputs(thread, analysis.findings, analyse_article(thread.article), decisions, source, failures)


def make_report(ref: str, db: str | None = None) -> Report:
    return build_report(report_inputs(ref, db))


def render(report: Report, fmt: str = "html") -> str:
    """The report as text in ``fmt`` (``html`` or ``json``)."""
    check_format(fmt)
    return render_html(report) if fmt == "html" else render_json(report)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UnknownReportFormat(f"no report format {fmt!r}", source=fmt)


def write_report(ref: str, out: Path, fmt: str = "html", db: str | None = None) -> Path:
    """Write the report for ``ref`` to ``out``; checks the format and the folder before any analysis."""
    check_format(fmt)
    if out.is_dir() or not out.parent.is_dir():
        raise ReportOutputError(f"cannot write the report to {out}", source=str(out))
    text = render(make_report(ref, db), fmt)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)  # a reader never sees half a report
    return out

"""The editor's thread report: findings → a plain data model → one self-contained HTML page, or JSON."""

from threadwise.report.assemble import ReportInputs, build_report
from threadwise.report.model import Report
from threadwise.report.render import render_html, render_json
from threadwise.report.source import FORMATS, make_report, render, report_inputs, write_report

__all__ = [
    "FORMATS", "Report", "ReportInputs", "build_report", "make_report", "render", "render_html", "render_json",
    "report_inputs", "write_report",
]  # fmt: skip

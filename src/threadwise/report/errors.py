"""The report's coded errors (TW-E100 to TW-E109): each names the input and says what to do."""

from __future__ import annotations

from threadwise.errors import ThreadwiseError


class ReportError(ThreadwiseError):
    """A report that cannot be made as asked; nothing was written."""

    code = "TW-E100"


class UnknownReportFormat(ReportError):
    code = "TW-E101"
    fix = "use --format html (a self-contained page) or --format json"


class ReportOutputError(ReportError):
    code = "TW-E102"
    fix = "give -o a file path in a folder that exists and can be written"


class ReportSourceNotFound(ReportError):
    code = "TW-E103"
    fix = "give a page file (or URL), or a stored thread id or prefix (`threadwise threads` lists them)"

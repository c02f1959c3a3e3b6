"""GET /threads/{thread_id}/report: the stored thread's report as a self-contained page, or JSON.

A reader's key may come as ``?key=`` so the page opens from a plain link in a browser.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from threadwise.api.auth import READERS, Principal, get_store, require
from threadwise.report.assemble import build_report
from threadwise.report.source import FORMATS, check_format, render, stored_inputs
from threadwise.store import Store

router = APIRouter(tags=["report"])
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)  # the template's own; comment text is escaped


@router.get("/threads/{thread_id}/report", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}, "application/json": {}}}})
def thread_report(
    thread_id: str,
    store: Annotated[Store, Depends(get_store)],
    _: Annotated[Principal, Depends(require(*READERS, allow_query_key=True))],
    format: Annotated[str, Query(description=f"One of: {', '.join(FORMATS)}.")] = "html",
) -> Response:
    """The editor's report for a stored thread (id or prefix), from its latest findings and decisions."""
    check_format(format)
    if format == "html":
        return report_page(store, thread_id)
    return Response(render(build_report(stored_inputs(store, thread_id)), format), media_type="application/json")


def report_page(store: Store, thread_id: str, headers: Mapping[str, str] | None = None) -> Response:
    """The stored thread's report as a self-contained HTML page under its own ``report_csp`` (the API's route and
    the web UI's both answer with it; ``headers``: any others the page is sent with)."""
    text = render(build_report(stored_inputs(store, thread_id)), "html")
    return Response(text, media_type="text/html; charset=utf-8",
                    headers={**(headers or {}), "Content-Security-Policy": report_csp(text)})


def report_csp(page: str) -> str:
    """The report's policy: nothing loads from anywhere; only its own inline script (by hash) runs."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _SCRIPT.findall(page))  # fmt: skip
    scripts = hashes or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

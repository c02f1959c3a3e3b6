"""GET /threads/{thread_id}/report: the stored thread's report as a self-contained page, or JSON.

A reader's key may come as ``?key=`` so the page opens from a plain link in a browser.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from threadwise.api.auth import READERS, Principal, get_store, require
from threadwise.report.assemble import build_report
from threadwise.report.source import FORMATS, check_format, render, stored_inputs
from threadwise.store import Store

router = APIRouter(tags=["report"])


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
    text = render(build_report(stored_inputs(store, thread_id)), format)
    media = "text/html; charset=utf-8" if format == "html" else "application/json"
    return Response(text, media_type=media)

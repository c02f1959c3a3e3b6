"""Admins read the moderators' feedback that ``comments:suggestscore`` stored: per community, or exported.

Admin keys only (``auth.require()``): feedback holds comment texts and moderators' verdicts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from threadwise import feedback
from threadwise.api.auth import Principal, get_store, require
from threadwise.store import Store

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

Admin = Annotated[Principal, Depends(require())]
StoreDep = Annotated[Store, Depends(get_store)]
_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get("")
def list_feedback(
    store: StoreDep, _: Admin, community: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Stored score suggestions, oldest first (one community's with ``community``), and every community's count."""
    rows = store.score_suggestions(community, limit=limit, offset=offset)
    return {"communities": feedback.communities(store), "feedback": [feedback.feedback_record(r) for r in rows]}


@router.get("/export")
def export_feedback(
    store: StoreDep, _: Admin, format: Literal["jsonl", "csv"] = "jsonl", community: str | None = None
) -> StreamingResponse:
    """Every stored suggestion as JSON Lines or CSV, streamed (a download for training or audits)."""
    return StreamingResponse(feedback.iter_export(store, format, community), media_type=_MEDIA[format],
                             headers={"Content-Disposition": f'attachment; filename="feedback.{format}"'})

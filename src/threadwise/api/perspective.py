"""Perspective's routes: a Perspective client switches to threadwise by changing its base URL alone.

- ``POST /v1alpha1/comments:analyze`` and ``POST /comments:analyze``: AnalyzeComment. The root form is
  what Coral posts when its admin enters the server's address without ``/v1alpha1`` (Coral joins endpoint
  and operation with ``path.join``).
- ``POST /v1alpha1/comments:suggestscore`` and ``POST /comments:suggestscore``: SuggestCommentScore,
  stored per community (``perspective_suggest``).
- ``GET /$discovery/rest?version=v1alpha1`` (and Google's older ``/discovery/v1/apis/commentanalyzer/
  v1alpha1/rest``): the discovery document google-api-python-client builds its client from, with
  ``rootUrl`` set to this server's own base URL so the generated client posts here.

Any threadwise key is accepted (``?key=`` too, as Perspective clients send it); ``serve
--open-perspective`` needs none. Refusals keep Perspective's shape (``perspective_errors``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from threadwise.api.auth import Principal, perspective_access
from threadwise.api.perspective_analyze import analyze
from threadwise.api.perspective_errors import PerspectiveRoute
from threadwise.api.perspective_suggest import suggest
from threadwise.api.perspective_wire import (
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    SuggestCommentScoreRequest,
    SuggestCommentScoreResponse,
)

API_VERSION = "v1alpha1"
Caller = Annotated[Principal | None, Depends(perspective_access)]
_REFUSALS: dict[int | str, dict[str, Any]] = {400: {
    "description": "Perspective's error shape (INVALID_ARGUMENT): a body outside the schema, an unknown "
                   "attribute, an unsupported language, an empty or too long comment"}}

router = APIRouter(tags=["Perspective-compatible"], route_class=PerspectiveRoute)


@router.post(f"/{API_VERSION}/comments:analyze", response_model=AnalyzeCommentResponse,
             response_model_exclude_none=True, responses=_REFUSALS)  # fmt: skip
@router.post("/comments:analyze", response_model=AnalyzeCommentResponse, response_model_exclude_none=True,
             include_in_schema=False)  # fmt: skip
def analyze_comment(body: AnalyzeCommentRequest, request: Request, _: Caller) -> AnalyzeCommentResponse:
    """Score a comment as Perspective's AnalyzeComment does: a summary score per requested attribute
    and span scores in UTF-16 code units (the analyser's evidence spans when ``spanAnnotations`` is true).
    Nothing is stored."""
    return analyze(body, request.app.state.scorer)


@router.post(f"/{API_VERSION}/comments:suggestscore", response_model=SuggestCommentScoreResponse,
             response_model_exclude_none=True, responses=_REFUSALS)  # fmt: skip
@router.post("/comments:suggestscore", response_model=SuggestCommentScoreResponse,
             response_model_exclude_none=True, include_in_schema=False)  # fmt: skip
async def suggest_comment_score(
    body: SuggestCommentScoreRequest, request: Request, caller: Caller
) -> SuggestCommentScoreResponse:
    """Record a moderator's score for a comment (Coral sends one per approval or rejection), per community;
    admins read them at ``GET /v1/feedback`` and ``threadwise calibrate`` compares them with the policy."""
    sender = caller.name if caller else "open"
    return await run_in_threadpool(suggest, body, request.app.state.store, sender)


@router.get("/$discovery/rest", summary="Perspective's discovery document, pointing at this server")
@router.get(f"/discovery/v1/apis/commentanalyzer/{API_VERSION}/rest", include_in_schema=False)
def discovery_document(request: Request, version: Annotated[str, Query()] = API_VERSION) -> JSONResponse:
    """The commentanalyzer v1alpha1 discovery document, with ``rootUrl`` set to this server's base URL."""
    if version != API_VERSION:
        return JSONResponse({"error": {"code": 404, "status": "NOT_FOUND",
                                       "message": f"Discovery document not found for API service: "
                                                  f"commentanalyzer.googleapis.com (version {version})"}},
                            status_code=404)  # fmt: skip
    return JSONResponse(served_discovery(str(request.base_url)))


def served_discovery(base_url: str) -> dict[str, Any]:
    document = dict(_discovery_template())
    document["rootUrl"] = document["baseUrl"] = base_url if base_url.endswith("/") else base_url + "/"
    return document


@cache
def _discovery_template() -> dict[str, Any]:
    text = resources.files("threadwise.api").joinpath("discovery", "commentanalyzer-v1alpha1.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document

"""The OpenAPI document, made to say what the server does: the one error envelope and every status.

FastAPI documents a 422 as its own ``{"detail": [...]}`` and nothing else; this server never answers
that way. ``document(app)`` builds FastAPI's document once, then for every operation of the JSON API
(``/v1``, ``/coral``) puts in the statuses the server really answers (401/403/429 for a key, 404 for
an id in the path, 409 where a claim can collide, 400/413/415/422 for a body…) with the
``ErrorEnvelope`` schema, describes Coral's request body (read raw, for its signature), and adds the
webhook events under ``webhooks``. ``tests/test_api_openapi.py`` holds document and server together.
The Perspective-compatible route keeps its own, Perspective's, error shape and is left as it is.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from threadwise.api.coral import CoralRequest

PERSPECTIVE_PREFIX = "/v1alpha1"
DESCRIPTIONS = {
    400: "Malformed JSON (TW-E061).", 401: "No key, an unknown, revoked or expired key, or a bad signature "
    "(TW-E090, TW-E091, TW-E094).", 403: "The key's role may not do this (TW-E092).",
    404: "No such thread or comment (TW-E021, TW-E022).", 409: "Claimed by another moderator (TW-E083).",
    413: "The body is over the server's limit (TW-E064).", 415: "The body is not JSON (TW-E066).",
    422: "Invalid fields or a refused moderation request (TW-E060, TW-E081, TW-E082…).",
    429: "Over the key's rate limit (TW-E093); Retry-After says when to try again.",
    500: "Server fault (TW-E069): logged; the server keeps serving.", 503: "The database is unavailable.",
}  # fmt: skip


class ErrorBody(BaseModel):
    code: str = Field(description="A stable threadwise code, TW-E0xx.", examples=["TW-E022"])
    message: str = Field(description="What went wrong, naming the input.")
    fix: str = Field(description="What to do about it.")
    status: int = Field(description="The HTTP status, repeated so a logged body stands on its own.")


class ErrorEnvelope(BaseModel):
    """Every error of the JSON API (all but the Perspective route's own refusals)."""

    error: ErrorBody


class WebhookEvent(BaseModel):
    """What threadwise POSTs to a webhook URL, signed ``X-Threadwise-Signature: t=UNIX,v1=HMAC_SHA256(secret,
    "t.body")`` (one ``v1`` per secret during a rotation)."""

    id: str
    type: Literal["comment.queued", "comment.decided", "comment.statement_sent"]
    created_at: str = Field(description="ISO 8601, UTC.")
    data: dict[str, Any] = Field(description="comment.queued: comment_id, thread_id, state, suggested_action, "
                                 "reason. comment.decided: comment_id, thread_id, decision_id, action, actor, "
                                 "reason, state, decided_at. comment.statement_sent: comment_id, decision_id, "
                                 "statement, ground.")


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses the server answers on this operation."""
    statuses = {500, 503}
    if path.startswith("/v1/"):
        statuses |= {401, 403, 429}
    if path.startswith("/coral/"):
        statuses |= {401}
    if operation.get("parameters") or "requestBody" in operation or path.startswith("/coral/"):
        statuses.add(422)
    if "requestBody" in operation or path.startswith("/coral/"):
        statuses |= {400, 413, 415}
    if "{thread_id}" in path or "{comment_id}" in path:
        statuses.add(404)
    if method == "post" and any(part in path for part in ("/claim", "/decision", "/decisions/bulk")):
        statuses |= {404, 409}
    return sorted(statuses)


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (built once, then cached on the app, as FastAPI does)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorEnvelope, WebhookEvent, CoralRequest):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    for path, operations in doc.get("paths", {}).items():
        if path.startswith(PERSPECTIVE_PREFIX):
            continue
        for method, operation in operations.items():
            _document_operation(path, method, operation)
    if "HTTPValidationError" not in json.dumps(doc["paths"]):  # the Perspective route may still name it
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
    doc["webhooks"] = {event: _webhook(event) for event in ("comment.queued", "comment.decided",
                                                            "comment.statement_sent")}  # fmt: skip
    app.openapi_schema = doc
    return doc


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status in error_statuses(path, method, operation):
        responses[str(status)] = {
            "description": DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
        }
    if path.startswith("/coral/"):
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CoralRequest"}}},
            "description": "Coral's external moderation request, signed X-Coral-Signature: sha256=HMAC(body)."}


def _webhook(event: str) -> dict[str, Any]:
    return {"post": {
        "summary": f"{event}, POSTed to every --webhook URL",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookEvent"}}}},
        "responses": {"2XX": {"description": "Delivered; any other answer is retried with backoff (5 tries)."}},
    }}  # fmt: skip


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]

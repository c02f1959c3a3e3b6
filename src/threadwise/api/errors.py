"""The API's one error envelope: ``{"error": {"code", "message", "fix", "status"}}`` for every error.

Coded threadwise errors, request validation, unknown routes, oversized bodies and unexpected
exceptions all answer in this shape, so a client needs one parser and a log reader one grep. The one
exception is the Perspective-compatible route's own refusals (``perspective.py``), which keep
Perspective's shape because existing Perspective clients parse it.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from threadwise.errors import (
    AccessError,
    ApiKeyNotFound,
    ClaimedByOther,
    CommentNotFound,
    InputError,
    InputTooLarge,
    InvalidSetting,
    ModerationError,
    RateLimited,
    RoleForbidden,
    StoreError,
    ThreadIntegrityError,
    ThreadNotFound,
    ThreadwiseError,
)
from threadwise.policy import InvalidPolicy

log = logging.getLogger("threadwise.api")


class ApiError(ThreadwiseError):
    """An error of the HTTP layer itself; ``status`` is its HTTP status."""

    code = "TW-E065"
    status = 400
    fix = "see /docs for the routes, methods and bodies this server accepts"


class InvalidRequest(ApiError):
    code = "TW-E060"
    status = 422
    fix = "correct the fields named in the message; /docs shows each route's body schema"


class MalformedJson(ApiError):
    code = "TW-E061"
    status = 400
    fix = "send a complete JSON document with Content-Type: application/json"


class RouteNotFound(ApiError):
    code = "TW-E062"
    status = 404


class MethodNotAllowed(ApiError):
    code = "TW-E063"
    status = 405


class BodyTooLarge(ApiError):
    code = "TW-E064"
    status = 413
    fix = "send a smaller body, or start the server with a larger --max-body-bytes"


class UnsupportedMediaType(ApiError):
    code = "TW-E066"
    status = 415
    fix = "send the body as JSON with Content-Type: application/json (curl: -H 'content-type: application/json')"


class InternalError(ApiError):
    code = "TW-E069"
    status = 500
    fix = "the server logged the details; report the time of the request to its operator"


# Most specific first: InputTooLarge is an InputError but is a size refusal, not a bad input.
_STATUS_OF = (
    (InputTooLarge, 413),
    (ThreadNotFound, 404),
    (CommentNotFound, 404),
    (ApiKeyNotFound, 404),
    (RateLimited, 429),
    (RoleForbidden, 403),
    (AccessError, 401),  # no key, a wrong key, a bad signature
    (ClaimedByOther, 409),
    (ModerationError, 422),  # an invalid action, a rejection without a reason, an unknown queue
    (InvalidPolicy, 422),
    (InputError, 422),
    (ThreadIntegrityError, 422),
    (StoreError, 503),
    (InvalidSetting, 500),  # a server-side configuration mistake, not the client's
)


def http_status(error: ThreadwiseError) -> int:
    """The HTTP status a coded error answers with (400 for a kind not listed)."""
    if isinstance(error, ApiError):
        return error.status
    return next((status for kind, status in _STATUS_OF if isinstance(error, kind)), 400)


def error_body(error: ThreadwiseError, status: int) -> dict[str, Any]:
    """The envelope itself; ``status`` repeats the HTTP status so a logged body stands on its own."""
    return {"error": {"code": error.code, "message": error.message, "fix": error.fix, "status": status}}


def error_response(error: ThreadwiseError, headers: dict[str, str] | None = None) -> JSONResponse:
    status = http_status(error)
    headers = {**_error_headers(error, status), **(headers or {})}
    return JSONResponse(error_body(error, status), status_code=status, headers=headers or None)


def _error_headers(error: ThreadwiseError, status: int) -> dict[str, str]:
    if isinstance(error, RateLimited):
        return {"Retry-After": str(max(1, math.ceil(error.retry_after)))}
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    return {}


async def _on_threadwise_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ThreadwiseError)
    return error_response(error)


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    broken = next((p for p in problems if p.get("type") == "json_invalid"), None)
    if broken is not None:
        reason = (broken.get("ctx") or {}).get("error", "JSON decode error")
        return error_response(MalformedJson(f"the body is not valid JSON: {reason} at position {broken['loc'][-1]}"))
    media = request.headers.get("content-type", "")
    if media and "json" not in media and any(tuple(p.get("loc", ())) == ("body",) for p in problems):
        # A JSON body posted as a form (curl -d without -H) fails as "not an object": name the real cause.
        return error_response(UnsupportedMediaType(f"the body must be JSON, not {media.split(';')[0]}"))
    return error_response(InvalidRequest("; ".join(_describe(p) for p in problems)))


def _describe(problem: dict[str, Any]) -> str:
    # loc starts with where the value came from ("body", "query"…); the field path is what a client fixes.
    where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or str(problem.get("loc", ("body",))[0])
    return f"{where}: {problem.get('msg', 'invalid')}"


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.detail == _UNPARSED_BODY:
        return error_response(_unparsed_body(request, error.__cause__))
    detail = error.detail if isinstance(error.detail, str) else "request refused"
    kind: type[ApiError] = {404: RouteNotFound, 405: MethodNotAllowed, 413: BodyTooLarge}.get(
        error.status_code, ApiError
    )
    # Starlette's router says only "Not Found" / "Method Not Allowed"; say which route and method. A route
    # that raises with its own detail keeps it.
    if kind is RouteNotFound and error.detail == "Not Found":
        detail = f"no route {request.method} {request.url.path}"
    elif kind is MethodNotAllowed and error.detail == "Method Not Allowed":
        detail = f"{request.url.path} does not accept {request.method}"
    api_error = kind(detail)
    api_error.status = error.status_code  # keep Starlette's status (401, 403, 429…) for the generic kind
    return error_response(api_error, headers=dict(error.headers or {}))


_UNPARSED_BODY = "There was an error parsing the body"  # FastAPI's words for every non-JSON-syntax failure


def _unparsed_body(request: Request, cause: BaseException | None) -> ApiError:
    """Why FastAPI could not read the body, in words a client can act on."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return UnsupportedMediaType(f"the body is sent with Content-Encoding: {encoding}; this server reads "
                                    "uncompressed JSON only",
                                    fix="send the JSON uncompressed, without Content-Encoding")
    if isinstance(cause, UnicodeDecodeError):
        return MalformedJson(f"the body is not UTF-8: byte 0x{cause.object[cause.start]:02x} at position "
                             f"{cause.start} is not valid UTF-8", fix="encode the JSON body as UTF-8")
    if isinstance(cause, RecursionError):
        return MalformedJson("the body nests arrays or objects too deeply to read",
                             fix="send a flatter document: no route reads more than a few levels")
    return MalformedJson(f"the body could not be read as JSON ({type(cause).__name__ if cause else 'unknown'})")


def install_error_handlers(app: FastAPI, max_body_bytes: int) -> None:
    """Route every error through the envelope; the guards are outermost so they see every request."""
    app.add_exception_handler(ThreadwiseError, _on_threadwise_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    from threadwise.api.text_guard import SurrogateGuard  # it builds on this module's envelope

    app.add_middleware(SurrogateGuard)  # inside the body limit, which bounds what it reads
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(ErrorGuard)


class ErrorGuard:
    """Turns an unexpected exception into a logged 500 envelope; the server goes on serving.

    Starlette's own last-resort handler answers in plain text and re-raises; this sits inside it, so
    a bug in one request costs that request only and still answers in the one shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            if started:  # half a response is out: nothing valid can follow, let the server close it
                raise
            await error_response(InternalError("the server failed on this request"))(scope, receive, send)


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(self._refusal())(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # Raised inside the route's body read, so FastAPI hands it to the HTTP error handler.
                raise StarletteHTTPException(413, detail=self._refusal().message)
            return message

        await self.app(scope, counted, send)

    def _refusal(self) -> BodyTooLarge:
        return BodyTooLarge(f"the request body is larger than this server's limit of {self.max_bytes} bytes")

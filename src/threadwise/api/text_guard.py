"""Refuses JSON bodies that carry lone UTF-16 surrogates (``"\\ud800"``), before any route reads them.

JSON may escape a surrogate code point that pairs with nothing; Python decodes it into a ``str`` no
UTF-8 encoder, database or JSON answer accepts, so such a field failed deep inside a route (500). Here
it is a 422 in the one envelope, naming the field, for every route at once. The body is scanned for
``\\ud8``…``\\udf`` escapes first, so an ordinary body is not parsed twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from threadwise.api.errors import BodyTooLarge, InvalidRequest, error_response

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def lone_surrogate_at(document: Any, path: str = "") -> str | None:
    """The path (``comment.text``, ``comment_ids.3``) of the first string holding a lone surrogate."""
    if isinstance(document, str):
        return (path or "body") if _SURROGATE.search(document) else None
    if isinstance(document, dict):
        items: Iterable[tuple[Any, Any]] = document.items()
    else:
        items = enumerate(document) if isinstance(document, list) else ()
    for key, value in items:
        shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")  # a surrogate key shown as \\ud800
        where = f"{path}.{shown}" if path else shown
        if isinstance(key, str) and _SURROGATE.search(key):
            return where
        found = lone_surrogate_at(value, where)
        if found:
            return found
    return None


class SurrogateGuard:
    """ASGI middleware: reads the body (the body limit outside it bounds it), checks it, replays it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        try:
            messages, body = await _read_all(receive)
        except StarletteHTTPException as refused:  # the body limit, raised while reading
            await error_response(BodyTooLarge(str(refused.detail)))(scope, receive, send)
            return
        where = _surrogate_field(body)
        if where is not None:
            problem = InvalidRequest(f"{where}: holds a lone UTF-16 surrogate, which is not Unicode text")
            await error_response(problem)(scope, receive, send)
            return
        await self.app(scope, _replay(messages, receive), send)


async def _read_all(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _surrogate_field(body: bytes) -> str | None:
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        return lone_surrogate_at(json.loads(body))
    except (ValueError, RecursionError):
        return None  # not JSON at all: the route's own parsing says what is wrong with it


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed

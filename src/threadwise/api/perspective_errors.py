"""Perspective's refusals, in Perspective's wire shape, so its clients parse them as they always have.

Two kinds, both HTTP 400 ``INVALID_ARGUMENT`` in Google's standard JSON error:

- a request Perspective understands but will not serve (unknown attribute, unsupported language,
  empty or too long comment) carries one commentanalyzer ``Error`` detail with its ``errorType``
  (``2-api/limits.md`` of conversationai/perspectiveapi; clients such as atom/biohazard-alert match it)::

    {"error": {"code": 400, "message": "Attribute TOXICITY does not support request languages: de",
               "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                            "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE", ...}]}}

- a body that is not the schema (not JSON, an unknown field, a wrong type, an enum value outside the
  enum) is refused by Google's proto JSON parser before Perspective sees it, with a
  ``google.rpc.BadRequest`` detail naming the field (snake_case, as the proto spells it).

``PerspectiveRoute`` makes every route of the Perspective router answer validation failures this way
instead of in threadwise's own envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

ERROR_DETAIL_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
_PROTO_TYPES = {"string": "TYPE_STRING", "bool": "TYPE_BOOL", "float": "TYPE_FLOAT", "int": "TYPE_INT32",
                "dict": "TYPE_MESSAGE", "model": "TYPE_MESSAGE", "list": "TYPE_MESSAGE", "literal": "TYPE_ENUM"}


class PerspectiveError(Exception):
    """A refusal in Perspective's shape: 400 INVALID_ARGUMENT with one typed detail."""

    def __init__(self, message: str, error_type: str = "INVALID_REQUEST", **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = [{"@type": ERROR_DETAIL_TYPE, "errorType": error_type, **detail}]

    @classmethod
    def bad_request(cls, violations: list[tuple[str, str]]) -> PerspectiveError:
        """The proto JSON parser's refusal: ``violations`` are (field path, description) pairs."""
        error = cls("\n".join(description for _, description in violations))
        error.details = [{"@type": BAD_REQUEST_TYPE,
                          "fieldViolations": [{"field": f, "description": d} for f, d in violations]}]
        return error

    def body(self) -> dict[str, Any]:
        return {"error": {"code": 400, "message": self.message, "status": "INVALID_ARGUMENT", "details": self.details}}


async def on_perspective_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PerspectiveError)
    return JSONResponse(error.body(), status_code=400)


def from_validation(error: RequestValidationError) -> PerspectiveError:
    """Pydantic's complaints about a body, as Google's parser words them."""
    return PerspectiveError.bad_request([_violation(problem) for problem in error.errors()])


def _violation(problem: dict[str, Any]) -> tuple[str, str]:
    kind = str(problem.get("type", ""))
    loc = [part for part in problem.get("loc", ()) if part != "body"]
    if kind == "json_invalid":
        reason = (problem.get("ctx") or {}).get("error", "Unexpected token")
        return "", f"Invalid JSON payload received. {reason}."
    if kind == "missing" and not loc:
        return "", "Invalid JSON payload received. Expected an object."
    if kind == "extra_forbidden":
        where = _proto_path(loc[:-1])
        at = f" at '{where}'" if where else ""
        return where, f'Invalid JSON payload received. Unknown name "{loc[-1]}"{at}: Cannot find field.'
    where = _proto_path(loc)
    proto_type = next((t for prefix, t in _PROTO_TYPES.items() if kind.startswith(prefix)), "TYPE_MESSAGE")
    return where, f"Invalid value at '{where}' ({proto_type}), {_json(problem.get('input'))}"


def _proto_path(loc: list[Any]) -> str:
    """``['requestedAttributes', 'TOXICITY', 'scoreType']`` → ``requested_attributes[TOXICITY].score_type``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[a-z][A-Za-z]*", str(part)):
            path += ("." if path else "") + re.sub(r"(?<!^)(?=[A-Z])", "_", str(part)).lower()
        else:  # a map key: an attribute name
            path += f"[{part}]"
    return path


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except TypeError:
        return str(value)


class PerspectiveRoute(APIRoute):
    """An APIRoute whose body validation failures answer in Perspective's shape, not the envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def perspective_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as error:
                return JSONResponse(from_validation(error).body(), status_code=400)

        return perspective_handler

"""The OpenAPI document describes what the server does: each error a route really answers is documented
for that route, with the schema its body really has (checked with jsonschema against the served document).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient

from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.model import Article, Comment, Thread

THREAD, COMMENT = "doc-thread", "doc-c1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = f"sqlite:///{tmp_path_factory.mktemp('doc') / 'doc.db'}"
    app = create_app(ApiSettings(db=db, rate_per_minute=6, rate_burst=40, max_body_bytes=4096,
                                 coral_secrets=("s",)))  # fmt: skip
    with TestClient(app) as client:
        store = app.state.store
        store.save_thread(Thread(Article(id=THREAD), (Comment(id=COMMENT, thread_id=THREAD, text="hi", position=0),)))
        keys = {role: create_key(store, role, f"doc-{role}")[0] for role in ("read-only", "moderator")}
        keys["other"] = create_key(store, "moderator", "doc-other")[0]
        yield client, keys


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def operation_for(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The documented operation a concrete request path falls under (its template's)."""
    for template, operations in doc["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method in operations:
            return dict(operations[method])
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


def check_documented(doc: dict[str, Any], response: httpx.Response, method: str, path: str) -> None:
    status = str(response.status_code)
    documented = operation_for(doc, method, path)["responses"]
    assert status in documented, f"{method.upper()} {path} answered {status}, documented only {sorted(documented)}"
    schema = documented[status]["content"]["application/json"]["schema"]
    # Resolve the document's own $refs, as a client generator would.
    jsonschema.validate(response.json(), {**schema, "components": doc["components"]})


def test_every_error_the_server_answers_is_documented_with_its_real_shape(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = served
    doc = client.get("/openapi.json").json()
    reader, moderator, other = bearer(keys["read-only"]), bearer(keys["moderator"]), bearer(keys["other"])
    assert client.post(f"/v1/comments/{COMMENT}/claim", json={}, headers=other).status_code == 200
    cases: list[tuple[str, str, dict[str, Any], int]] = [
        ("get", "/v1/threads", {}, 401),
        ("post", "/v1/threads", {"json": {"content": "x"}, "headers": reader}, 403),
        ("get", "/v1/threads/nothing-here", {"headers": reader}, 404),
        ("get", "/v1/comments/nope", {"headers": reader}, 404),
        ("get", "/v1/queue", {"params": {"limit": 0}, "headers": reader}, 422),
        ("post", f"/v1/comments/{COMMENT}/decision", {"json": {"action": "delete"}, "headers": moderator}, 422),
        ("post", f"/v1/comments/{COMMENT}/decision", {"json": {"action": "approve"}, "headers": moderator}, 409),
        ("post", "/v1/comments/nope/decision", {"json": {"action": "approve"}, "headers": moderator}, 404),
        ("post", f"/v1/comments/{COMMENT}/reports", {"content": b"{", "headers": {**moderator,
                                                      "content-type": "application/json"}}, 400),
        ("post", f"/v1/comments/{COMMENT}/reports", {"content": b"x" * 5000, "headers": moderator}, 413),
        ("post", "/coral/moderate", {"content": json.dumps({"a": 1}).encode(), "headers": {"content-type":
                                     "application/json", "X-Coral-Signature": "sha256=00"}}, 401),
    ]  # fmt: skip
    for method, path, options, status in cases:
        response = client.request(method.upper(), path, **options)
        assert response.status_code == status, (method, path, response.text)
        check_documented(doc, response, method, path)
    for _ in range(60):  # past the burst: the rate limit answers 429, documented too
        limited = client.get("/v1/threads", headers=reader)
        if limited.status_code == 429:
            break
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    check_documented(doc, limited, "get", "/v1/threads")


def test_the_document_has_no_fastapi_error_shape_and_describes_coral_and_webhooks(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = served
    doc = client.get("/openapi.json").json()
    ours = {path: ops for path, ops in doc["paths"].items() if not path.startswith("/v1alpha1")}  # Perspective's own
    assert ours and "HTTPValidationError" not in json.dumps(ours)
    assert all(operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorEnvelope")
               for operations in ours.values() for operation in operations.values()
               if "422" in operation["responses"])  # fmt: skip
    coral = doc["paths"]["/coral/moderate"]["post"]
    assert coral["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CoralRequest")
    assert {"action", "comment", "author", "story"} <= set(doc["components"]["schemas"]["CoralRequest"]["required"])
    assert set(doc["webhooks"]) == {"comment.queued", "comment.decided", "comment.statement_sent"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1/"):  # every keyed route documents the key's refusals
                assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)

"""The REST API: the Perspective-compatible route, the one error envelope, and `threadwise serve`.

Every test runs the real app with the real toxicity analyser (fast tier); nothing is mocked.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.errors import ThreadNotFound

ANALYZE = "/v1alpha1/comments:analyze"
ATTRIBUTES = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK")
BODY_LIMIT = 4096


def perspective_request(text: str, *attributes: str, **extra: object) -> dict[str, object]:
    return {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes or ATTRIBUTES}, **extra}


def with_failing_routes(app: FastAPI) -> FastAPI:
    """Two routes that fail the ways later routes will: a coded error, and a bug."""

    @app.get("/test/missing-thread")
    def missing_thread() -> None:
        raise ThreadNotFound("no thread 'abc123'")

    @app.get("/test/bug")
    def bug() -> None:
        raise RuntimeError("a bug in a route")

    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    settings = ApiSettings(db=db, max_body_bytes=BODY_LIMIT, open_perspective=True, rate_per_minute=0)
    app = with_failing_routes(create_app(settings))
    with TestClient(app) as test_client:  # `with` runs the lifespan: the analyser loads once, here
        yield test_client


def assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fix", "status"}
    assert body["error"]["code"] == code and body["error"]["status"] == status
    assert body["error"]["message"] and body["error"]["fix"]


def assert_perspective_error(response: httpx.Response, message: str, error_type: str) -> dict[str, object]:
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and error["message"] == message
    (detail,) = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
    assert detail["errorType"] == error_type
    return dict(detail)


# --- the Perspective-compatible route --------------------------------------------------------------


def test_perspective_scores_every_requested_attribute_in_perspective_shape(client: TestClient) -> None:
    text = "You are an idiot"
    response = client.post(ANALYZE, json=perspective_request(text, languages=["en"], clientToken="c-42"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"attributeScores", "languages", "clientToken"}
    assert body["languages"] == ["en"] and body["clientToken"] == "c-42"
    assert set(body["attributeScores"]) == set(ATTRIBUTES)
    for scores in body["attributeScores"].values():
        summary = scores["summaryScore"]
        assert summary["type"] == "PROBABILITY" and 0.0 <= summary["value"] <= 1.0
        # Without spanAnnotations, Perspective gives one span over the whole text with the summary score.
        assert scores["spanScores"] == [{"begin": 0, "end": len(text), "score": summary}]
    assert body["attributeScores"]["TOXICITY"]["summaryScore"]["value"] >= 0.7
    assert body["attributeScores"]["INSULT"]["summaryScore"]["value"] >= 0.5


def test_perspective_scores_a_polite_comment_low_and_reports_the_detected_language(client: TestClient) -> None:
    response = client.post(ANALYZE, json=perspective_request("Thanks, a thoughtful piece.", "TOXICITY"))
    body = response.json()
    assert body["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.3
    assert body["languages"] == ["en"] and body["detectedLanguages"] == ["en"]
    assert "clientToken" not in body


def test_perspective_span_annotations_point_at_the_evidence(client: TestClient) -> None:
    text = "You are an idiot"
    response = client.post(ANALYZE, json=perspective_request(text, spanAnnotations=True))
    assert response.status_code == 200
    for scores in response.json()["attributeScores"].values():
        for span in scores["spanScores"]:
            assert 0 <= span["begin"] < span["end"] <= len(text)
            assert span["score"]["type"] == "PROBABILITY" and 0.0 <= span["score"]["value"] <= 1.0
    toxicity_spans = response.json()["attributeScores"]["TOXICITY"]["spanScores"]
    idiot = text.index("idiot")
    assert any(s["begin"] <= idiot and idiot + len("idiot") <= s["end"] for s in toxicity_spans)
    assert all(s["end"] - s["begin"] < len(text) for s in toxicity_spans)  # evidence, not the whole text


def test_perspective_leaves_out_an_attribute_below_its_score_threshold(client: TestClient) -> None:
    body = perspective_request("Thanks, a thoughtful piece.", "TOXICITY", "INSULT")
    body["requestedAttributes"] = {"TOXICITY": {"scoreThreshold": 0.9}, "INSULT": {}}
    assert set(client.post(ANALYZE, json=body).json()["attributeScores"]) == {"INSULT"}


def test_perspective_refuses_an_unknown_attribute_in_perspective_shape(client: TestClient) -> None:
    response = client.post(ANALYZE, json=perspective_request("You are an idiot", "TOXICITY", "FLIRTATION"))
    assert_perspective_error(response, "Unknown requested attribute: FLIRTATION", "INVALID_REQUEST")


def test_perspective_refuses_an_unsupported_language_in_perspective_shape(client: TestClient) -> None:
    response = client.post(ANALYZE, json=perspective_request("Ти просто ідіот", "INSULT", languages=["uk"]))
    detail = assert_perspective_error(
        response, "Attribute INSULT does not support request languages: uk", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    )
    assert detail["languageNotSupportedByAttributeError"] == {"attribute": "INSULT", "requestedLanguages": ["uk"]}


def test_perspective_refuses_a_detected_language_the_models_cannot_read(client: TestClient) -> None:
    text = "Ти просто ідіот і нічого не розумієш у цій статті"
    response = client.post(ANALYZE, json=perspective_request(text, "TOXICITY"))
    detail = assert_perspective_error(
        response, "Attribute TOXICITY does not support request languages: uk", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    )
    assert detail["languageNotSupportedByAttributeError"]["detectedLanguages"] == ["uk"]


def test_perspective_drop_unsupported_attributes_answers_without_scores(client: TestClient) -> None:
    body = perspective_request("Привіт", languages=["uk"], dropUnsupportedAttributes=True)
    response = client.post(ANALYZE, json=body)
    assert response.status_code == 200 and response.json()["attributeScores"] == {}


def test_perspective_refuses_an_empty_comment_and_missing_attributes(client: TestClient) -> None:
    assert_perspective_error(client.post(ANALYZE, json=perspective_request("")), "Comment must be non-empty.",
                             "COMMENT_EMPTY")
    missing = {"comment": {"text": "hello"}}
    assert_perspective_error(client.post(ANALYZE, json=missing), "Missing requested_attributes",
                             "NO_REQUESTED_ATTRIBUTES")


# --- the one error envelope ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin(client: TestClient) -> dict[str, str]:
    return {"X-API-Key": create_key(client.app.state.store, "admin", "envelope-tests")[0]}  # type: ignore[attr-defined]


# The Perspective routes refuse a body outside their schema as Perspective does (test_perspective_contract);
# every other route answers in the envelope.
def test_envelope_for_malformed_json(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/v1/threads", content=b'{"content": "hi"', headers={"content-type": "application/json",
                                                                              **admin})
    assert_envelope(response, 400, "TW-E061")


def test_envelope_for_wrong_types_names_the_field(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/v1/threads", json={"content": 5}, headers=admin)
    assert_envelope(response, 422, "TW-E060")
    assert "content" in response.json()["error"]["message"]


def test_envelope_for_a_form_encoded_body(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/v1/threads", content=b'{"content": "hi"}',
                           headers={"content-type": "application/x-www-form-urlencoded", **admin})
    assert_envelope(response, 415, "TW-E066")


def test_envelope_for_an_oversized_body_by_content_length(client: TestClient) -> None:
    response = client.post(ANALYZE, json=perspective_request("x" * (BODY_LIMIT + 1)))
    assert_envelope(response, 413, "TW-E064")


def test_envelope_for_an_oversized_body_streamed_without_length(client: TestClient) -> None:
    chunks = (b"x" * 1024 for _ in range(BODY_LIMIT // 1024 + 2))  # a generator: sent chunked, no Content-Length
    response = client.post(ANALYZE, content=chunks, headers={"content-type": "application/json"})
    assert_envelope(response, 413, "TW-E064")


def test_envelope_for_unknown_route_and_wrong_method(client: TestClient) -> None:
    assert_envelope(client.get("/v2/nothing-here"), 404, "TW-E062")
    response = client.get(ANALYZE)
    assert_envelope(response, 405, "TW-E063")
    assert response.headers["allow"] == "POST"


def test_envelope_for_a_coded_threadwise_error(client: TestClient) -> None:
    assert_envelope(client.get("/test/missing-thread"), 404, ThreadNotFound.code)


def test_envelope_for_an_unexpected_exception_and_the_server_keeps_serving(client: TestClient) -> None:
    assert_envelope(client.get("/test/bug"), 500, "TW-E069")
    assert "a bug in a route" not in client.get("/test/bug").text  # internals stay in the server log
    assert client.post(ANALYZE, json=perspective_request("hello there")).status_code == 200


def test_server_keeps_answering_after_each_kind_of_error(client: TestClient) -> None:
    client.post(ANALYZE, content=b"{", headers={"content-type": "application/json"})
    client.post(ANALYZE, json=perspective_request("hi", "FLIRTATION"))
    client.post(ANALYZE, content=b"x" * (BODY_LIMIT * 2))
    assert client.post(ANALYZE, json=perspective_request("You are an idiot")).status_code == 200


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json")
    assert schema.status_code == 200 and ANALYZE in schema.json()["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# --- `threadwise serve`, as a real process ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_a_perspective_request_over_http_with_a_key_in_the_query(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    made = subprocess.run([sys.executable, "-m", "threadwise", "keys", "create", "--role", "read-only", "--db", db],
                          capture_output=True, text=True, timeout=60, check=True)
    key = made.stdout.strip()
    port = free_port()
    log = tmp_path / "serve.log"  # a file, not a pipe: a chatty server can never block on a full pipe
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "threadwise", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db],
            stdout=sink, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                response = httpx.post(base + ANALYZE, json=perspective_request("You are an idiot", "TOXICITY"),
                                      params={"key": key}, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "threadwise serve did not start within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] >= 0.7
        refused = httpx.post(base + ANALYZE, json=perspective_request("hello", "TOXICITY"), timeout=10)
        assert_envelope(refused, 401, "TW-E090")  # without --open-perspective a key is needed
        wrong = httpx.post(base + ANALYZE, params={"key": key + "x", "other": "1"}, timeout=10,
                           json=perspective_request("hello", "TOXICITY"))
        assert wrong.status_code == 401
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    logged = log.read_text(errors="replace")
    assert "analyze?key=[redacted] HTTP/1.1\" 200" in logged and "key=[redacted]&other=1" in logged  # access log
    assert key not in logged and key.split("_", 2)[2][:16] not in logged

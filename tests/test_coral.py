"""Coral's external moderation phase: Coral's signature scheme, its request as documented, our answers.

Requests are signed exactly as Coral signs them (HMAC-SHA256 of the raw, pretty-printed body; one
``sha256=`` per active secret), and the example body is the one in Coral's documentation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from test_api import assert_envelope
from threadwise.api import ApiSettings, create_app
from threadwise.api.coral import coral_answer, coral_signature
from threadwise.policy import RuleMatch, Suggestion

ROUTE = "/coral/moderate"
OLD_SECRET, NEW_SECRET = "whsec_old_0123456789abcdef", "whsec_new_fedcba9876543210"


def coral_request(body: str, parent: str | None = None) -> dict[str, Any]:
    """The documented example (docs/docs/external-moderation-phases.md), with another comment body."""
    return {
        "action": "NEW",
        "comment": {"body": body, "parentID": parent},
        "author": {"id": "baf4e943-3594-4fcc-b2ba-3e8de7a76352", "role": "COMMENTER"},
        "story": {"id": "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", "url": "http://localhost:1313/posts/a-story-url/"},
        "site": {"id": "a4bede88-2d2c-4424-bc18-4322a9e285a6"},
        "tenantID": "19ba5794-7eeb-4d46-a81b-c00c61672501",
        "tenantDomain": "localhost",
    }


def send(client: TestClient, payload: dict[str, Any] | bytes, *secrets: str) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, indent=2).encode()  # as Coral does
    headers = {"Content-Type": "application/json", "User-Agent": "Coral Moderation/9.0.0"}
    if secrets:
        headers["X-Coral-Signature"] = coral_signature(raw, secrets)
    return client.post(ROUTE, content=raw, headers=headers)


def coral_app(tmp_path: Path, **settings: Any) -> TestClient:
    db = f"sqlite:///{tmp_path / 'coral.db'}"
    return TestClient(create_app(ApiSettings(db=db, coral_secrets=(NEW_SECRET, OLD_SECRET), **settings)))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with coral_app(tmp_path_factory.mktemp("coral")) as test_client:
        yield test_client


def test_polite_comment_gets_no_decision(client: TestClient) -> None:
    response = send(client, coral_request("Here's a comment! I think the second point is the stronger one."),
                    NEW_SECRET)
    assert response.status_code == 204 and response.content == b""


def test_insult_is_withheld_and_flagged_toxic(client: TestClient) -> None:
    response = send(client, coral_request("You are a pathetic idiot and a moron, shut up."), NEW_SECRET)
    assert response.status_code == 200
    assert response.json() == {"status": "SYSTEM_WITHHELD",
                               "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}], "tags": []}


def test_link_is_withheld_and_flagged_spam(client: TestClient) -> None:
    response = send(client, coral_request("Cheap watches at www.best-deals-now.biz/offer today", "p-1"), NEW_SECRET)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "SYSTEM_WITHHELD"
    assert {"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"} in body["actions"]


def test_a_signature_by_the_rotated_out_secret_still_counts_during_rotation(client: TestClient) -> None:
    payload = coral_request("Thanks for the article.")
    assert send(client, payload, OLD_SECRET).status_code == 204
    assert send(client, payload, "some-other-secret", OLD_SECRET).status_code == 204  # any one of several


def test_unsigned_or_wrongly_signed_requests_are_refused(client: TestClient) -> None:
    assert_envelope(send(client, coral_request("hello")), 401, "TW-E096")
    assert_envelope(send(client, coral_request("hello"), "not-the-secret"), 401, "TW-E096")
    raw = json.dumps(coral_request("hello"), indent=2).encode()
    tampered = raw.replace(b"hello", b"HELLO")
    headers = {"X-Coral-Signature": coral_signature(raw, [NEW_SECRET]), "Content-Type": "application/json"}
    assert_envelope(client.post(ROUTE, content=tampered, headers=headers), 401, "TW-E096")


def test_signed_but_malformed_requests_are_refused_in_the_envelope(client: TestClient) -> None:
    assert_envelope(send(client, b'{"action": "NEW", "comment": {', NEW_SECRET), 400, "TW-E061")
    wrong = coral_request("hi")
    wrong["action"] = "DELETE"
    response = send(client, wrong, NEW_SECRET)
    assert_envelope(response, 422, "TW-E060")
    assert "action" in response.json()["error"]["message"]
    missing = coral_request("hi")
    del missing["comment"]
    assert_envelope(send(client, missing, NEW_SECRET), 422, "TW-E060")
    extra = {**coral_request("Fine by me."), "newCoralField": {"x": 1}}  # Coral may add fields: ignored
    assert send(client, extra, NEW_SECRET).status_code == 204


def test_server_without_a_secret_refuses_every_request(tmp_path: Path) -> None:
    with TestClient(create_app(ApiSettings(db=f"sqlite:///{tmp_path / 'c.db'}"))) as bare:
        response = send(bare, coral_request("hello"), NEW_SECRET)
    assert_envelope(response, 401, "TW-E096")
    assert "no Coral signing secret" in response.json()["error"]["message"]


def test_over_the_time_budget_answers_no_decision_at_once(tmp_path: Path) -> None:
    with coral_app(tmp_path, coral_budget_seconds=0) as hurried:
        response = send(hurried, coral_request("You are a pathetic idiot and a moron, shut up."), NEW_SECRET)
    assert response.status_code == 204 and response.headers["x-threadwise-skipped"] == "time budget"


def test_answers_for_each_kind_of_suggestion() -> None:
    toxic = RuleMatch("insult", "review", "insult", ())
    threat = RuleMatch("threat", "reject", "threat", ())
    history = RuleMatch("history", "review", "recent history")
    assert coral_answer(Suggestion("c", "approve", "no rule matched")) is None
    approved = coral_answer(Suggestion("c", "approve", "no rule matched"), approve=True)
    assert approved is not None and approved.status == "APPROVED"
    rejected = coral_answer(Suggestion("c", "reject", "threat", (threat,)))
    assert rejected is not None and rejected.status == "REJECTED" and rejected.actions[0].reason.endswith("TOXIC")
    premod = coral_answer(Suggestion("c", "review", "history", (history,)))
    assert premod is not None and premod.status == "PREMOD" and premod.actions == []  # held for who, not what
    withheld = coral_answer(Suggestion("c", "review", "insult", (toxic, history)))
    assert withheld is not None and withheld.status == "SYSTEM_WITHHELD"

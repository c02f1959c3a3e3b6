"""Outgoing webhooks against a real local HTTP receiver: signatures with rotation, retries with backoff,
recorded deliveries on SQLite and PostgreSQL, and decisions that never wait for a receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLE, make_thread
from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.api.webhooks import SIGNATURE_HEADER, WebhookSender, sign, verify
from threadwise.errors import InvalidWebhook
from threadwise.moderation import decide
from threadwise.store import Store, WebhookDelivery

NEW, OLD = "new-secret-2", "old-secret-1"


@dataclass
class Receiver:
    """A local HTTP server that answers each POST with the next status of ``script`` (then 200)."""

    script: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.script.pop(0) if state.script else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/hook"  # nothing listens once the probe closes


# --- signatures ----------------------------------------------------------------------------------------


def test_signature_verifies_with_any_active_secret_and_refuses_tampering_and_replay() -> None:
    body = b'{"type": "comment.decided"}'
    now = int(time.time())
    header = sign(body, [NEW, OLD], now)
    assert header.startswith(f"t={now},v1=") and header.count("v1=") == 2
    assert verify(body, header, [NEW]) and verify(body, header, [OLD])  # a receiver holding either secret
    assert not verify(body, header, ["a-secret-never-used"])
    assert not verify(body + b" ", header, [NEW])
    assert not verify(body, sign(body, [NEW], now - 3600), [NEW])  # an old timestamp: a replay
    assert not verify(body, header.replace(f"t={now}", f"t={now + 1}"), [NEW])  # the timestamp is signed
    assert not verify(body, "v1=abc", [NEW])


def test_a_target_without_secret_or_not_http_is_refused() -> None:
    with pytest.raises(InvalidWebhook) as caught:
        WebhookSender(["http://127.0.0.1:9/hook"], [])
    assert caught.value.code == "TW-E097"
    with pytest.raises(InvalidWebhook):
        WebhookSender(["ftp://example.org/hook"], [NEW])


# --- delivery, on both databases -------------------------------------------------------------------------


def test_failed_delivery_is_retried_and_every_attempt_recorded(store: Store, receiver: Receiver) -> None:
    receiver.script = [500]
    sender = WebhookSender([receiver.url], [NEW, OLD], attempts=3, backoff_seconds=0.01).start(store)
    try:
        (delivery_id,) = sender.emit("comment.decided", {"comment_id": "c1", "action": "reject"})
        assert sender.wait_idle(30)
    finally:
        sender.stop()
    assert len(receiver.received) == 2
    bodies = {body for _, body in receiver.received}
    assert len(bodies) == 1  # a retry sends the same event
    for headers, body in receiver.received:
        assert verify(body, headers[SIGNATURE_HEADER.lower()], [OLD])
        assert headers["x-threadwise-event"] == "comment.decided" and headers["x-threadwise-delivery"] == delivery_id
    event = json.loads(bodies.pop())
    assert event["type"] == "comment.decided" and event["data"] == {"comment_id": "c1", "action": "reject"}
    (recorded,) = store.webhook_deliveries()
    assert (recorded.id, recorded.status, recorded.attempts, recorded.last_status_code) == (
        delivery_id, "delivered", 2, 200)
    assert recorded.last_error is None


def test_delivery_gives_up_after_its_attempts(store: Store, receiver: Receiver) -> None:
    receiver.script = [503, 503, 503, 503]
    sender = WebhookSender([receiver.url], [NEW], attempts=3, backoff_seconds=0.01).start(store)
    try:
        sender.emit("comment.queued", {"comment_id": "c2"})
        assert sender.wait_idle(30)
    finally:
        sender.stop()
    (recorded,) = store.webhook_deliveries("failed")
    assert recorded.attempts == 3 and recorded.last_status_code == 503 and "503" in (recorded.last_error or "")
    assert len(receiver.received) == 3


def test_deliveries_left_pending_are_resumed_on_start(store: Store, receiver: Receiver) -> None:
    now = datetime.now(UTC)
    store.add_webhook_deliveries([WebhookDelivery("d-left", "comment.queued", receiver.url, '{"id": "e1"}',
                                                  "pending", 1, 500, "answered HTTP 500", now, now)])
    sender = WebhookSender([receiver.url], [NEW], attempts=5, backoff_seconds=0.01).start(store)
    try:
        assert sender.wait_idle(30)
    finally:
        sender.stop()
    assert [body for _, body in receiver.received] == [b'{"id": "e1"}']
    (recorded,) = store.webhook_deliveries()
    assert (recorded.status, recorded.attempts) == ("delivered", 2)


def test_a_decision_committed_before_a_kill_is_announced_after_the_restart(store: Store, receiver: Receiver) -> None:
    store.save_thread(make_thread(("c1", None), ("c2", None)))
    # The decisions commit, then the process dies before any sender sees them: no one announced them.
    made = [decide(store, "c1", "ana (key 0000aaaa)", "approve"), decide(store, "c2", "ana (key 0000aaaa)",
                                                                         "reject", "insult")]
    for _ in range(2):  # the restarted server announces each once; a second restart sends nothing again
        sender = WebhookSender([receiver.url], [NEW], attempts=5, backoff_seconds=0.01).start(store)
        try:
            assert sender.wait_idle(30)
        finally:
            sender.stop()
    events = [json.loads(body) for _, body in receiver.received]
    assert [(e["type"], e["data"]["decision_id"]) for e in events] == [("comment.decided", d.id) for d in made]
    assert events[1]["data"]["actor"] == "ana (key 0000aaaa)" and events[1]["data"]["reason"] == "insult"
    assert store.pending_outbox() == []


# --- through the API -----------------------------------------------------------------------------------


def test_queue_and_decision_events_reach_the_receiver(tmp_path: Path, receiver: Receiver) -> None:
    settings = ApiSettings(db=f"sqlite:///{tmp_path / 'hooks.db'}", rate_per_minute=0, webhook_urls=(receiver.url,),
                           webhook_secrets=(NEW,), webhook_backoff_seconds=0.01)
    app = create_app(settings)
    with TestClient(app) as client:
        ingest = {"X-API-Key": create_key(app.state.store, "ingest")[0]}
        moderator = {"X-API-Key": create_key(app.state.store, "moderator", "ana")[0]}
        thread = client.post("/v1/threads", headers=ingest, json={"content": EXAMPLE.read_text(encoding="utf-8")})
        thread_id = thread.json()["thread_id"]
        submitted = client.post(f"/v1/threads/{thread_id}/comments", headers=ingest,
                                json={"text": "You are a pathetic idiot and a moron, shut up."})
        comment = submitted.json()["comment"]["id"]
        polite = client.post(f"/v1/threads/{thread_id}/comments", headers=ingest, json={"text": "Good piece."})
        assert polite.json()["state"] == "approved"  # approved at once: no queue event for it
        client.post(f"/v1/comments/{comment}/decision", headers=moderator, json={"action": "reject",
                                                                                 "reason": "insult"})
        assert app.state.webhooks.wait_idle(30)
    events = [json.loads(body) for _, body in receiver.received]
    assert [e["type"] for e in events] == ["comment.queued", "comment.decided"]
    assert events[0]["data"]["comment_id"] == comment and events[0]["data"]["state"] == "review"
    assert events[1]["data"] | {"action": "reject", "state": "rejected"} == events[1]["data"]
    assert events[1]["data"]["actor"].startswith("ana (key ")
    assert all(verify(body, headers[SIGNATURE_HEADER.lower()], [NEW]) for headers, body in receiver.received)


def test_an_unreachable_receiver_never_blocks_or_fails_a_decision(tmp_path: Path) -> None:
    settings = ApiSettings(db=f"sqlite:///{tmp_path / 'down.db'}", rate_per_minute=0,
                           webhook_urls=(closed_port_url(),), webhook_secrets=(NEW,), webhook_attempts=2,
                           webhook_backoff_seconds=0.01)
    app = create_app(settings)
    with TestClient(app) as client:
        store: Store = app.state.store
        ingest = {"X-API-Key": create_key(store, "ingest")[0]}
        admin = {"X-API-Key": create_key(store, "admin", "root")[0]}
        thread_id = client.post("/v1/threads", headers=ingest,
                                json={"content": EXAMPLE.read_text(encoding="utf-8")}).json()["thread_id"]
        comment = store.queue(thread_id=thread_id)[0].comment.id
        decided = client.post(f"/v1/comments/{comment}/decision", headers=admin, json={"action": "approve"})
        assert decided.status_code == 201 and decided.json()["state"] == "approved"
        assert app.state.webhooks.wait_idle(30)
        (delivery,) = client.get("/v1/webhooks/deliveries", headers=admin).json()
    assert delivery["status"] == "failed" and delivery["attempts"] == 2 and "Connect" in delivery["last_error"]

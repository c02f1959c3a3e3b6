"""Outgoing webhooks: queue and decision events, signed, delivered in the background with retries.

Each event is recorded (``webhook_deliveries``: one row per target) before it is sent, then sent by one
background thread, so a decision never waits on, or fails because of, a receiver. A ``comment.decided``
event is first written to the outbox (``webhook_outbox``) in the decision's own transaction, so a server
killed right after the commit announces it when it starts again; its event id is the outbox row's. A delivery that gets
no 2xx answer is retried after ``backoff_seconds * 2 ** (attempt - 1)``, up to ``attempts`` tries, then
marked ``failed``; every try updates its row (attempts, last status code, last error).

Signature (headers of every request):

- ``X-Threadwise-Event``: the event type; ``X-Threadwise-Delivery``: the delivery id.
- ``X-Threadwise-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]``: HMAC-SHA256 with each active
  secret over ``"<t>.<raw body>"``. Several ``v1`` appear while secrets rotate (the newest first): a
  receiver accepts the request when any matches a secret it holds, and refuses an old ``t`` (replay).
  ``verify()`` below is the reference check.

Events: ``comment.queued`` (a comment entered a queue a person works: pending or review) and
``comment.decided`` (a moderator decided a comment). The body is
``{"id", "type", "created_at", "data": {...}}``.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx

from threadwise.errors import InvalidWebhook
from threadwise.model import Decision
from threadwise.store import QueueItem, Store, WebhookDelivery
from threadwise.store.access import OutboxEvent

log = logging.getLogger("threadwise.webhooks")

SIGNATURE_HEADER = "X-Threadwise-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
WORKED_STATES = ("pending", "review")  # the queues a person works; entering one is an event


# --- signing -------------------------------------------------------------------------------------------


def sign(body: bytes, secrets: Sequence[str], timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``, one ``v1`` per secret."""
    signed = f"{timestamp}.".encode() + body
    digests = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    return ",".join([f"t={timestamp}", *(f"v1={d}" for d in digests)])


def verify(
    body: bytes, header: str, secrets: Sequence[str], *, tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``header`` carries a fresh timestamp and a ``v1`` signature by one of ``secrets``."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(body, secrets, timestamp).split(",")[1:]
    given = [f"v1={v.strip()}" for k, v in parts if k.strip() == "v1"]
    return any(hmac.compare_digest(g, e) for g in given for e in expected)


# --- events --------------------------------------------------------------------------------------------


def decided_event(decision: Decision, thread_id: str, state: str) -> dict[str, Any]:
    return {"comment_id": decision.comment_id, "thread_id": thread_id, "decision_id": decision.id,
            "action": decision.action, "actor": decision.actor, "reason": decision.reason, "state": state,
            "decided_at": decision.decided_at.isoformat()}  # fmt: skip


def queued_event(comment_id: str, thread_id: str, state: str, decision: Decision | None) -> dict[str, Any]:
    return {"comment_id": comment_id, "thread_id": thread_id, "state": state,
            "suggested_action": decision.action if decision else None,
            "reason": decision.reason if decision else None}  # fmt: skip


def announce_queued(sender: WebhookSender, store: Store, comment_id: str) -> QueueItem:
    """Emit ``comment.queued`` when the comment now waits for a person; returns its queue item."""
    item = store.queue_item(comment_id)
    if item.state in WORKED_STATES:
        sender.emit("comment.queued", queued_event(comment_id, item.thread_id, item.state, item.decision))
    return item


def announce_decided(sender: WebhookSender, store: Store, decisions: Sequence[Decision]) -> list[QueueItem]:
    """Send the ``comment.decided`` events the decisions recorded in the outbox (any shell that records a
    decision calls this: API, web UI); returns each decision's queue item."""
    sender.flush_outbox()
    return [store.queue_item(decision.comment_id) for decision in decisions]


def _event_body(event_id: str, event_type: str, data: dict[str, Any]) -> str:
    event = {"id": event_id, "type": event_type, "created_at": datetime.now(UTC).isoformat(), "data": data}
    return json.dumps(event, ensure_ascii=False, sort_keys=True)


# --- delivery ------------------------------------------------------------------------------------------


class WebhookSender:
    """Records events and delivers them from one background thread; ``emit`` never raises."""

    def __init__(
        self, urls: Sequence[str], secrets: Sequence[str], *, attempts: int = 5, backoff_seconds: float = 1.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        for url in urls:
            if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
                raise InvalidWebhook(f"webhook target {url!r} is not an http(s) URL", source=url)
        if urls and not [s for s in secrets if s]:
            raise InvalidWebhook("webhook targets are set but no signing secret is")
        if attempts < 1:
            raise InvalidWebhook(f"a webhook needs at least one attempt, got {attempts}")
        self.urls = tuple(urls)
        self.secrets = tuple(s for s in secrets if s)
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds
        self._store: Store | None = None
        self._due: list[tuple[float, int, WebhookDelivery, int]] = []  # (when, tie-break, delivery, attempt)
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._seq = 0
        self._flushing = threading.Lock()

    def start(self, store: Store) -> WebhookSender:
        """Start delivering; deliveries a previous server left pending are resumed."""
        self._store = store
        self._stopping = False
        if self.urls and self._thread is None:
            for delivery in store.webhook_deliveries("pending", limit=None):
                self._schedule(delivery, delivery.attempts + 1, time.monotonic())
            self._thread = threading.Thread(target=self._run, name="threadwise-webhooks", daemon=True)
            self._thread.start()
            self.flush_outbox()  # decisions committed before a previous server stopped, not yet announced
        return self

    def flush_outbox(self) -> list[str]:
        """Turn every recorded, undispatched event into deliveries (once, even with several senders) and
        queue them; the delivery ids. Never raises: an event must not cost the decision that caused it.
        With no target the events wait in the outbox for a server that has one."""
        if not self.urls or self._store is None:
            return []
        sent: list[str] = []
        with self._flushing:
            try:
                for event in self._store.pending_outbox():
                    sent += self._dispatch(event)
            except Exception:
                log.exception("cannot dispatch the webhook outbox")
        return sent

    def _dispatch(self, event: OutboxEvent) -> list[str]:
        assert self._store is not None
        decision = next((d for d in self._store.iter_decisions(event.comment_id) if d.id == event.decision_id), None)
        if decision is None:
            return []
        item = self._store.queue_item(event.comment_id)
        body = _event_body(event.id, event.event, decided_event(decision, item.thread_id, item.state))
        deliveries = self._deliveries(event.event, body)
        if not self._store.dispatch_outbox_event(event.id, deliveries):
            return []  # another sender got there first
        return self._queue(deliveries)

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def emit(self, event_type: str, data: dict[str, Any]) -> list[str]:
        """Record the event for every target and queue its delivery; the delivery ids (none: no target)."""
        if not self.urls or self._store is None:
            return []
        try:
            deliveries = self._deliveries(event_type, _event_body(uuid.uuid4().hex, event_type, data))
            self._store.add_webhook_deliveries(deliveries)
        except Exception:  # an event must never cost the decision that caused it
            log.exception("cannot record webhook event %s", event_type)
            return []
        return self._queue(deliveries)

    def _deliveries(self, event_type: str, body: str) -> list[WebhookDelivery]:
        """One pending delivery of ``body`` per target, not yet recorded."""
        now = datetime.now(UTC)
        return [WebhookDelivery(uuid.uuid4().hex, event_type, url, body, "pending", 0, None, None, now, now)
                for url in self.urls]  # fmt: skip

    def _queue(self, deliveries: Sequence[WebhookDelivery]) -> list[str]:
        """Schedule the first attempt of each recorded delivery, due now; their ids."""
        for delivery in deliveries:
            self._schedule(delivery, 1, time.monotonic())
        return [d.id for d in deliveries]

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is due (for tests and a clean shutdown); False on timeout."""
        return self._idle.wait(timeout)

    def _schedule(self, delivery: WebhookDelivery, attempt: int, when: float) -> None:
        with self._wake:
            self._seq += 1
            heapq.heappush(self._due, (when, self._seq, delivery, attempt))
            self._idle.clear()
            self._wake.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_seconds, follow_redirects=False) as client:
            while True:
                with self._wake:
                    while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                        if not self._due:
                            self._idle.set()
                        self._wake.wait(None if not self._due else self._due[0][0] - time.monotonic())
                    if self._stopping:
                        return
                    _, _, delivery, attempt = heapq.heappop(self._due)
                self._attempt(client, delivery, attempt)

    def _attempt(self, client: httpx.Client, delivery: WebhookDelivery, attempt: int) -> None:
        assert self._store is not None
        body = delivery.body.encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "threadwise-webhooks",
                   "X-Threadwise-Event": delivery.event, "X-Threadwise-Delivery": delivery.id,
                   SIGNATURE_HEADER: sign(body, self.secrets, int(time.time()))}  # fmt: skip
        code: int | None = None
        error: str | None = None
        try:
            code = client.post(delivery.url, content=body, headers=headers).status_code
            if not 200 <= code < 300:
                error = f"answered HTTP {code}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        done = error is None
        last = attempt >= self.attempts
        status = "delivered" if done else ("failed" if last else "pending")
        try:
            self._store.record_webhook_attempt(delivery.id, status, code, error)
        except Exception:
            log.exception("cannot record webhook attempt %s", delivery.id)
        if not done and not last:
            self._schedule(delivery, attempt + 1, time.monotonic() + self.backoff_seconds * 2 ** (attempt - 1))

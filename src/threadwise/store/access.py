"""API keys (stored hashed) and outgoing webhook deliveries.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public
call in one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadwise.errors import ApiKeyNotFound
from threadwise.store.schema import api_keys, webhook_deliveries, webhook_outbox


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored key: never the key itself, only its SHA-256 (``key_hash``)."""

    id: str
    name: str
    role: str
    key_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event for one target; ``body`` is the exact JSON sent, so its signatures can be checked again."""

    id: str
    event: str
    url: str
    body: str
    status: str  # pending, delivered, failed
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


# --- keys -------------------------------------------------------------------------------------------


def add_key(conn: Connection, record: ApiKeyRecord) -> None:
    conn.execute(api_keys.insert().values(**_fields(record)))


def key_by_hash(conn: Connection, key_hash: str) -> ApiKeyRecord | None:
    row = conn.execute(sa.select(api_keys).where(api_keys.c.key_hash == key_hash)).first()
    return ApiKeyRecord(**row._asdict()) if row else None


def list_keys(conn: Connection) -> list[ApiKeyRecord]:
    rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
    return [ApiKeyRecord(**row._asdict()) for row in rows]


def revoke_key(conn: Connection, key_id: str, now: datetime) -> ApiKeyRecord:
    """Revoke the key (a second revocation keeps the first time); raises ApiKeyNotFound."""
    row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None:
        raise ApiKeyNotFound(f"no API key has id {key_id!r}", source=key_id)
    record = ApiKeyRecord(**row._asdict())
    if record.revoked_at is not None:
        return record
    conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=now))
    return replace(record, revoked_at=now)


def _fields(record: ApiKeyRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in ApiKeyRecord.__slots__}


# --- webhook deliveries -------------------------------------------------------------------------------


def add_deliveries(conn: Connection, deliveries: list[WebhookDelivery]) -> None:
    if deliveries:
        conn.execute(webhook_deliveries.insert(), [_delivery_fields(d) for d in deliveries])


def record_attempt(
    conn: Connection, delivery_id: str, status: str, status_code: int | None, error: str | None, now: datetime
) -> None:
    conn.execute(
        webhook_deliveries.update()
        .where(webhook_deliveries.c.id == delivery_id)
        .values(status=status, attempts=webhook_deliveries.c.attempts + 1, last_status_code=status_code,
                last_error=error, updated_at=now)
    )  # fmt: skip


def list_deliveries(conn: Connection, status: str | None, limit: int | None) -> list[WebhookDelivery]:
    query = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.created_at, webhook_deliveries.c.id)
    if status is not None:
        query = query.where(webhook_deliveries.c.status == status)
    return [WebhookDelivery(**row._asdict()) for row in conn.execute(query.limit(limit))]


def _delivery_fields(delivery: WebhookDelivery) -> dict[str, object]:
    return {name: getattr(delivery, name) for name in WebhookDelivery.__slots__}


# --- the webhook outbox --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """An event recorded with what it announces, not yet turned into deliveries."""

    id: str
    event: str
    comment_id: str
    decision_id: str
    created_at: datetime
    dispatched_at: datetime | None = None


def add_outbox_event(conn: Connection, event: OutboxEvent) -> None:
    conn.execute(webhook_outbox.insert().values(**{n: getattr(event, n) for n in OutboxEvent.__slots__}))


def pending_outbox(conn: Connection, limit: int) -> list[OutboxEvent]:
    query = (sa.select(webhook_outbox).where(webhook_outbox.c.dispatched_at.is_(None))
             .order_by(webhook_outbox.c.created_at, webhook_outbox.c.id).limit(limit))  # fmt: skip
    return [OutboxEvent(**row._asdict()) for row in conn.execute(query)]


def dispatch_outbox_event(conn: Connection, event_id: str, deliveries: list[WebhookDelivery], now: datetime) -> bool:
    """Mark the event dispatched and record its deliveries; False (nothing recorded) when another
    sender dispatched it first."""
    marked = conn.execute(webhook_outbox.update()
                          .where(webhook_outbox.c.id == event_id, webhook_outbox.c.dispatched_at.is_(None))
                          .values(dispatched_at=now))  # fmt: skip
    if marked.rowcount != 1:
        return False
    add_deliveries(conn, deliveries)
    return True

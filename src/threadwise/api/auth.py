"""Who may call the API: API keys (stored hashed), roles, and a per-key rate limit.

Interface (also used by the web UI to log people in with their keys):

- ``ROLES``: ``admin``, ``moderator``, ``ingest``, ``read-only``.
- ``Principal(key_id, name, role)``: the caller a key stands for; ``principal.may(*roles)``;
  ``principal.actor`` (``"NAME (key ID)"``) is who the audit log and claims record. Key names are unique
  (``DuplicateKeyName``, TW-E098), so a name in the log means one key.
- ``create_key(store, role, name) -> (raw_key, Principal)``: the raw key is returned once and never stored.
- ``authenticate(store, raw_key) -> Principal``: raises ``InvalidApiKey`` (TW-E091) for an unknown,
  revoked or expired key, ``MissingApiKey`` (TW-E090) for none.
- ``require(*roles)``: a FastAPI dependency giving the ``Principal`` of a request whose key (header
  ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``) has one of ``roles``; ``admin`` passes every check.
  401 without a valid key, 403 (``RoleForbidden``, TW-E092) for the wrong role, 429 (``RateLimited``,
  TW-E093, with ``Retry-After``) when the key's bucket is empty. ``require()`` admits admin keys only.

Role matrix (✓ admitted):

============================================  =====  =========  ======  =========
route                                         admin  moderator  ingest  read-only
============================================  =====  =========  ======  =========
read threads, findings, queue, audit log      ✓      ✓          ✓       ✓
Perspective ``comments:analyze`` (no store)   ✓      ✓          ✓       ✓
Perspective ``comments:suggestscore``         ✓      ✓          ✓       ✓
ingest a thread, submit a comment             ✓                 ✓
claim, release, decide, decide in bulk        ✓      ✓
webhook deliveries, API keys, feedback        ✓
============================================  =====  =========  ======  =========

The Coral external moderation route takes no key: Coral signs its requests instead (``coral.py``).

A key is ``tw_<id>_<secret>``: ``id`` (8 hex digits) is shown in listings and names the key for
revocation; the secret has 256 bits, so the SHA-256 of the whole key is enough to store (no slow
password hash is needed for a random key of that size).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from threadwise.errors import DuplicateKeyName, InvalidApiKey, MissingApiKey, RateLimited, RoleForbidden, UnknownRole
from threadwise.store import ApiKeyRecord, Store
from threadwise.store.queue import POLICY_ACTOR

ROLES = ("admin", "moderator", "ingest", "read-only")
READERS = ("moderator", "ingest", "read-only")  # every role reads; admin passes every check anyway
KEY_PREFIX = "tw_"


@dataclass(frozen=True)
class Principal:
    """The caller a key stands for."""

    key_id: str
    name: str
    role: str

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    @property
    def actor(self) -> str:
        """How the caller is named in the audit log and on claims: the key's name and its id. The id is
        what tells two people apart (names are unique too, but a revoked name's old decisions stay)."""
        return actor_of(self.key_id, self.name)


def actor_of(key_id: str, name: str) -> str:
    return f"{name} (key {key_id})"


# --- keys ------------------------------------------------------------------------------------------


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def create_key(
    store: Store, role: str, name: str | None = None, *, expires_in_days: float | None = None
) -> tuple[str, Principal]:
    """Make and store a new key; the raw key is in the return value only, show it to its owner once."""
    if role not in ROLES:
        raise UnknownRole(f"no role is called {role!r}", source=role)
    key_id = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    expires = now + timedelta(days=expires_in_days) if expires_in_days is not None else None
    name = (name or "").strip() or f"{role}-{key_id}"
    if name.startswith(POLICY_ACTOR):
        raise DuplicateKeyName(f"key names starting {POLICY_ACTOR!r} are reserved for the policy", source=name)
    if any(record.name == name for record in store.list_api_keys()):
        raise DuplicateKeyName(f"a key named {name!r} exists already", source=name)
    store.add_api_key(ApiKeyRecord(key_id, name, role, hash_key(raw_key), now, expires_at=expires))
    return raw_key, Principal(key_id, name, role)


def authenticate(store: Store, raw_key: str | None) -> Principal:
    """The principal of a raw key; refuses a missing, unknown, revoked or expired one."""
    if not raw_key or not raw_key.strip():
        raise MissingApiKey("this route needs an API key")
    record = store.api_key_by_hash(hash_key(raw_key.strip()))
    if record is None:
        raise InvalidApiKey("the API key is not one this server issued")
    state = record.state(datetime.now(UTC))
    if state != "active":
        raise InvalidApiKey(f"API key {record.id} ({record.name}) is {state}", source=record.id)
    return Principal(record.id, record.name, record.role)


def list_keys(store: Store) -> list[ApiKeyRecord]:
    return store.list_api_keys()


def revoke_key(store: Store, key_id: str) -> ApiKeyRecord:
    return store.revoke_api_key(key_id)


# --- rate limit ------------------------------------------------------------------------------------


class RateLimiter:
    """A token bucket per caller, in memory: ``burst`` requests at once, refilled at ``per_minute``.

    In memory is enough for one server process; counts start afresh when it restarts.
    """

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, monotonic time)
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one token of ``caller``'s bucket, or raise RateLimited with the wait until the next."""
        if self.rate <= 0:
            return  # no limit configured
        with self._lock:
            now = time.monotonic()
            tokens = self._refilled(caller, now)
            if tokens < 1:
                self._buckets[caller] = (tokens, now)
                wait = (1 - tokens) / self.rate
                raise RateLimited(f"too many requests from {caller}", retry_after=wait, source=caller)
            self._buckets[caller] = (tokens - 1, now)

    def check(self, caller: str) -> None:
        """Raise RateLimited when ``caller``'s bucket is empty, spending nothing."""
        if self.rate <= 0:
            return
        with self._lock:
            tokens = self._refilled(caller, time.monotonic())
        if tokens < 1:
            raise RateLimited(f"too many refused keys from {caller}", retry_after=(1 - tokens) / self.rate,
                              source=caller)

    def _refilled(self, caller: str, now: float) -> float:
        """``caller``'s tokens at ``now`` (a new caller's bucket is full), capped at ``burst``; under the lock."""
        tokens, then = self._buckets.get(caller, (self.burst, now))
        return min(self.burst, tokens + (now - then) * self.rate)


# A client whose keys keep being refused (guessing, or a stale key in a loop) is slowed down: after
# FAILURE_BURST refusals it gets 429 for every key, valid or not, until its bucket refills.
FAILURES_PER_MINUTE = 30.0
FAILURE_BURST = 10


def authenticate_request(request: Request, raw_key: str | None) -> Principal:
    """``authenticate``, counting each refused key against the client's address."""
    failures: RateLimiter | None = getattr(request.app.state, "failures", None)
    caller = f"address {request.client.host if request.client else 'unknown'}"
    if failures is not None:
        failures.check(caller)
    try:
        return authenticate(get_store(request), raw_key)
    except InvalidApiKey:
        if failures is not None:
            failures.take(caller)
        raise



# --- FastAPI dependencies ----------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")


def get_store(request: Request) -> Store:
    """The app's one open store (opened in the lifespan)."""
    store: Store = request.app.state.store
    return store


def require(*roles: str, allow_query_key: bool = False) -> Callable[..., Principal]:
    """A dependency admitting a key whose role is in ``roles`` (admin always); gives its Principal."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UnknownRole(f"no role is called {unknown[0]!r}", source=unknown[0])

    def dependency(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
        header: Annotated[str | None, Security(_header)],
    ) -> Principal:
        query = request.query_params.get("key") if allow_query_key else None
        principal = authenticate_request(request, _given_key(bearer, header, query))
        check_role(principal, roles)
        request.app.state.limiter.take(f"key {principal.key_id}")
        return principal

    return dependency


def perspective_access(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header: Annotated[str | None, Security(_header)],
) -> Principal | None:
    """The Perspective route's check: any valid key (also as ``?key=``, as Perspective clients send it);
    no key at all when the server runs with ``open_perspective``, rate-limited per client address then."""
    raw_key = _given_key(bearer, header, request.query_params.get("key"))
    if raw_key is None and request.app.state.settings.open_perspective:
        request.app.state.limiter.take(f"address {request.client.host if request.client else 'unknown'}")
        return None
    principal = authenticate_request(request, raw_key)
    request.app.state.limiter.take(f"key {principal.key_id}")
    return principal


def check_role(principal: Principal, roles: tuple[str, ...]) -> None:
    if not principal.may(*roles):
        admitted = ", ".join(("admin", *roles))
        raise RoleForbidden(f"key {principal.key_id} has role {principal.role}; this route admits {admitted}",
                            source=principal.key_id)


def _given_key(
    bearer: HTTPAuthorizationCredentials | None, header: str | None, query: str | None
) -> str | None:
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    return header or query



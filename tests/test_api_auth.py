"""API keys: stored hashed, roles, revocation, expiry, the rate limit, and the `threadwise keys` commands."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from threadwise.api.auth import ROLES, RateLimiter, authenticate, create_key, hash_key, list_keys, revoke_key
from threadwise.errors import ApiKeyNotFound, DuplicateKeyName, InvalidApiKey, MissingApiKey, RateLimited, UnknownRole
from threadwise.store import Store


def test_a_key_authenticates_as_its_role_and_only_its_hash_is_stored(store: Store) -> None:
    raw, principal = create_key(store, "moderator", "ana")
    assert raw.startswith(f"tw_{principal.key_id}_") and len(raw) > 40
    assert (principal.name, principal.role) == ("ana", "moderator")
    assert authenticate(store, raw) == principal
    assert authenticate(store, f"  {raw}\n") == principal  # pasted with whitespace
    with store.engine.connect() as conn:
        rows = list(conn.execute(sa.text("select * from api_keys")))
    assert len(rows) == 1 and raw not in str(rows[0]) and rows[0].key_hash == hash_key(raw)


def test_every_role_can_hold_a_key_and_an_unknown_one_is_refused(store: Store) -> None:
    for role in ROLES:
        _, principal = create_key(store, role)
        assert principal.name == f"{role}-{principal.key_id}"  # a default name that says what it is
    with pytest.raises(UnknownRole) as caught:
        create_key(store, "superuser")
    assert caught.value.code == "TW-E094" and "superuser" in caught.value.message
    assert len(list_keys(store)) == len(ROLES)


def test_wrong_missing_revoked_and_expired_keys_are_refused(store: Store) -> None:
    raw, principal = create_key(store, "read-only", "reader")
    with pytest.raises(InvalidApiKey):
        authenticate(store, raw[:-1] + ("A" if raw[-1] != "A" else "B"))
    with pytest.raises(MissingApiKey):
        authenticate(store, "")
    assert revoke_key(store, principal.key_id).revoked_at is not None
    with pytest.raises(InvalidApiKey) as caught:
        authenticate(store, raw)
    assert "revoked" in caught.value.message and caught.value.code == "TW-E091"
    expired, _ = create_key(store, "read-only", "old", expires_in_days=-1)
    with pytest.raises(InvalidApiKey, match="expired"):
        authenticate(store, expired)
    with pytest.raises(ApiKeyNotFound):
        revoke_key(store, "nosuchid")


def test_rate_limiter_allows_a_burst_then_says_how_long_to_wait() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    for _ in range(3):
        limiter.take("key a")
    with pytest.raises(RateLimited) as caught:
        limiter.take("key a")
    assert 0 < caught.value.retry_after <= 1.0  # one token a second
    limiter.take("key b")  # another caller has a bucket of their own


def threadwise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadwise", *args], capture_output=True, text=True, timeout=60)


def test_keys_commands_create_list_and_revoke(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keys.db'}"
    made = threadwise("keys", "create", "--role", "moderator", "--name", "ana", "--db", db)
    assert made.returncode == 0, made.stderr
    raw = made.stdout.strip()
    assert raw.startswith("tw_") and "not shown again" in made.stderr
    with Store.open(db) as store:
        key_id = authenticate(store, raw).key_id
    listed = threadwise("keys", "list", "--db", db)
    assert key_id in listed.stdout and "ana" in listed.stdout and "active" in listed.stdout
    assert raw not in listed.stdout
    assert threadwise("keys", "revoke", key_id, "--db", db).returncode == 0
    assert "revoked" in threadwise("keys", "list", "--db", db).stdout
    refused = threadwise("keys", "create", "--role", "root", "--db", db)
    assert refused.returncode == 2 and "TW-E094" in refused.stderr


# --- identity: a name is one key, and the log records both --------------------------------------------


def test_key_names_are_unique_and_the_policy_prefix_is_reserved(store: Store) -> None:
    create_key(store, "moderator", "ana")
    with pytest.raises(DuplicateKeyName) as refused:
        create_key(store, "moderator", " ana ")
    assert refused.value.code == "TW-E098" and "ana" in refused.value.message
    with pytest.raises(DuplicateKeyName):
        create_key(store, "admin", "policy:default@1")
    assert [k.name for k in list_keys(store)] == ["ana"]


def test_the_actor_is_the_name_and_the_key_id(store: Store) -> None:
    raw, principal = create_key(store, "moderator", "ana")
    assert principal.actor == f"ana (key {principal.key_id})" == authenticate(store, raw).actor


def test_the_migration_renames_keys_that_already_shared_a_name(tmp_path: Path) -> None:
    from alembic import command

    from threadwise.store.engine import alembic_config, make_engine
    from threadwise.store.schema import api_keys

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")  # a database from before names were unique
        for key_id, month in (("aaaa0001", 1), ("bbbb0002", 2)):
            conn.execute(api_keys.insert().values(id=key_id, name="ana", role="moderator", key_hash=key_id,
                                                  created_at=datetime(2026, month, 1, tzinfo=UTC)))
    engine.dispose()
    store = Store.open(f"sqlite:///{tmp_path / 'old.db'}")  # migrates to the newest revision
    try:
        assert sorted(k.name for k in list_keys(store)) == ["ana", "ana-bbbb0002"]
        with pytest.raises(DuplicateKeyName):
            create_key(store, "moderator", "ana")
    finally:
        store.close()

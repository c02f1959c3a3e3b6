"""Opening a database: URL checks, SQLite connection settings, transactions and migrations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from threadwise.errors import StoreError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Execution option that asks the SQLite begin hook for a write lock up front.
_WRITE_OPTION = "threadwise_write"

# Any fixed number: the PostgreSQL advisory lock that serialises concurrent first-time migrations.
_MIGRATION_LOCK_KEY = 0x7468726561


def redact(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {exc}", source=redact(url)) from exc
    if parsed.drivername == "postgresql":
        # psycopg (3) is the driver we depend on; SQLAlchemy's default for plain postgresql:// is psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its folder is created and WAL mode switched on."""
    parsed = parse_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use this database: {exc}", source=redact(url)) from exc


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # An in-memory database lives in one connection, so every checkout must get that same one.
    extra: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **extra)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Python 3.11's sqlite3 would BEGIN only before DML, leaving a save's reads outside its
    # transaction; turn that off and let _on_sqlite_begin emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked, per connection
        cursor.execute("PRAGMA journal_mode=WAL")  # readers (API, CLI) do not block the writer
        cursor.execute("PRAGMA busy_timeout=5000")  # wait for another writer rather than fail at once
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    # A write takes the lock at BEGIN: a deferred transaction that reads and then writes can fail
    # with "database is locked" when another writer got in between.
    immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back entirely if it raises."""
    with engine.connect() as connection:
        if write:
            connection = connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            yield connection


def alembic_config(connection: Connection) -> Config:
    """Alembic settings pointing at the packaged migrations; no alembic.ini is read."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    with transaction(engine, write=True) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(connection), "head")

"""The use-cases. Every shell (CLI, API, web, runners) calls these and only renders the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from threadwise.errors import InputError, ThreadwiseError
from threadwise.export import write_export
from threadwise.ingest import read_thread
from threadwise.ingest.fetch import fetch, is_url
from threadwise.model import Run, Thread, make_id
from threadwise.settings import get_setting
from threadwise.store import SaveResult, Store, ThreadSummary


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input: saved (``result``) or refused (``error``); never both."""

    source: str
    result: SaveResult | None = None
    error: ThreadwiseError | None = None
    comments: int = 0


def open_store(db: str | None = None) -> Store:
    return Store.open(get_setting("db", db))


def read_source(ref: str, *, format: str | None = None, encoding: str | None = None,
                max_bytes: int | None = None) -> Thread:
    """Read one path or URL into a thread, without storing it."""
    limit = get_setting("max_input_bytes", max_bytes)
    if is_url(ref):
        page = fetch(ref, timeout=get_setting("fetch_timeout"), max_bytes=limit,
                     user_agent=get_setting("user_agent"))
        return read_thread(page.data, page.url, format=format, encoding=encoding, max_bytes=limit)
    path = Path(ref)
    if not path.is_file():
        raise InputError("no such file", source=ref, fix="check the path")
    if path.stat().st_size > limit:
        return read_thread(b"x" * (limit + 1), ref, max_bytes=limit)  # refused by the size check, unread
    return read_thread(path.read_bytes(), ref, format=format, encoding=encoding, max_bytes=limit)


def ingest(refs: Sequence[str], *, db: str | None = None, format: str | None = None,
           encoding: str | None = None, max_bytes: int | None = None,
           on_each: Callable[[IngestOutcome], None] | None = None) -> list[IngestOutcome]:
    """Read and store each input in its own transaction; a bad input is reported, the rest go on."""
    store = open_store(db)
    run = Run(id=make_id("run", datetime.now(UTC).isoformat(), *refs), kind="ingest",
              started_at=datetime.now(UTC), config={"sources": list(refs), "format": format})
    outcomes = []
    try:
        store.save_run(run)
        for ref in refs:
            outcome = _ingest_one(store, ref, run.id, format=format, encoding=encoding, max_bytes=max_bytes)
            outcomes.append(outcome)
            if on_each:
                on_each(outcome)
    finally:
        store.close()
    return outcomes


def _ingest_one(store: Store, ref: str, run_id: str, **options: object) -> IngestOutcome:
    try:
        thread = read_source(ref, **options)  # type: ignore[arg-type]
        return IngestOutcome(ref, result=store.save_thread(thread, run_id=run_id), comments=len(thread.comments))
    except ThreadwiseError as error:
        return IngestOutcome(ref, error=error)


def list_threads(db: str | None = None) -> list[ThreadSummary]:
    store = open_store(db)
    try:
        return store.list_threads()
    finally:
        store.close()


def get_thread(ref: str, db: str | None = None) -> Thread:
    """A stored thread by id or id prefix. A file or URL names its page: the stored thread when that
    page was ingested (with every comment the store kept), else the page as read now."""
    page = read_source(ref) if is_url(ref) or Path(ref).is_file() else None
    store = open_store(db)
    try:
        if page is not None:
            return store.load_thread(page.id) if store.has_thread(page.id) else page
        return store.load_thread(store.resolve_thread_id(ref))
    finally:
        store.close()


def export_thread(ref: str, fmt: str, out: Path, db: str | None = None) -> list[Path]:
    return write_export(get_thread(ref, db), fmt, out)


def count_failures(outcomes: Iterable[IngestOutcome]) -> int:
    return sum(1 for o in outcomes if o.error is not None)

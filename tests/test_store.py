"""The store on SQLite and on PostgreSQL: round trips, versions, atomic saves, lookups, records.

The ``store`` fixture (tests/conftest.py) runs each test on both databases.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadwise.errors import OrphanComment, StoreError, ThreadNotFound
from threadwise.model import Article, Comment, Decision, Finding, Run, Span, Thread, make_id
from threadwise.store import Store, threads
from threadwise.store.schema import metadata

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# --- helpers -------------------------------------------------------------------------------------


def make_thread(thread_id: str = "a1b2c3d4e5f60718", texts: tuple[str, ...] = ("first", "second")) -> Thread:
    article = Article(
        id=thread_id,
        url=f"https://news.example/{thread_id}",
        outlet="Example News",
        title="A title",
        author="A. Writer",
        paragraphs=("One.", "Two."),
        published_at=T0,
        source_format="html",
    )
    comments = tuple(
        Comment(
            id=make_id(thread_id, i),
            thread_id=thread_id,
            text=text,
            position=i,
            parent_id=make_id(thread_id, 0) if i else None,
            number=str(i + 1),
            author=f"reader{i}",
            created_at=T0 + timedelta(minutes=i),
            source_id=str(i),
        )
        for i, text in enumerate(texts)
    )
    return Thread(article, comments)


def count_rows(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }


# --- round trip ----------------------------------------------------------------------------------

# PostgreSQL text cannot hold NUL, and ingest never produces it.
_chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_text = st.text(_chars, max_size=30)
_opt_text = st.none() | _text
_zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
_times = st.none() | st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=_zones)


@st.composite
def threads_(draw: st.DrawFn) -> Thread:
    """A random small thread; each example gets its own ids so examples share one database."""
    thread_id = uuid.uuid4().hex[:16]
    article = Article(
        id=thread_id,
        url=draw(_opt_text),
        outlet=draw(_opt_text),
        title=draw(_opt_text),
        author=draw(_opt_text),
        paragraphs=tuple(draw(st.lists(_text, max_size=4))),
        image_credit=draw(_opt_text),
        author_bio=draw(_opt_text),
        published_at=draw(_times),
        source_format=draw(_opt_text),
    )
    size = draw(st.integers(0, 8))
    positions = draw(st.permutations(range(size)))
    comments = []
    for i in range(size):
        parent = draw(st.none() | st.integers(0, i - 1)) if i else None  # earlier comment: a tree
        comments.append(
            Comment(
                id=f"{thread_id}-{i}",
                thread_id=thread_id,
                text=draw(_text),
                position=positions[i],
                parent_id=None if parent is None else f"{thread_id}-{parent}",
                number=draw(_opt_text),
                author=draw(_opt_text),
                created_at=draw(_times),
                source_id=draw(_opt_text),
            )
        )
    return Thread(article, tuple(sorted(comments, key=lambda c: c.position)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(thread=threads_())
def test_thread_round_trips_exactly(store: Store, thread: Thread) -> None:
    store.save_thread(thread)
    loaded = store.load_thread(thread.id)
    assert loaded == thread
    stamps = [c.created_at for c in loaded.comments] + [loaded.article.published_at]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in stamps if t is not None)


# --- saving semantics ----------------------------------------------------------------------------


def test_resave_adds_nothing(store: Store) -> None:
    thread = make_thread()
    first = store.save_thread(thread, run_id="run-1")
    rows = count_rows(store)
    again = store.save_thread(thread, run_id="run-2")
    assert (first.article_created, first.added, first.edited, first.unchanged) == (True, 2, 0, 0)
    assert (again.article_created, again.added, again.edited, again.unchanged) == (False, 0, 0, 2)
    assert count_rows(store) == rows


def test_edited_comment_becomes_new_version(store: Store) -> None:
    store.save_thread(make_thread(texts=("first", "second")), run_id="run-1")
    result = store.save_thread(make_thread(texts=("first", "second, edited")), run_id="run-2")
    assert (result.added, result.edited, result.unchanged) == (0, 1, 1)
    edited = store.load_thread("a1b2c3d4e5f60718").comments[1]
    assert edited.text == "second, edited"
    versions = store.comment_versions(edited.id)
    assert [(v.version, v.text, v.run_id) for v in versions] == [
        (1, "second", "run-1"),
        (2, "second, edited", "run-2"),
    ]
    assert versions[1].text_hash == edited.text_hash
    assert all(v.seen_at.tzinfo is not None for v in versions)


def test_comment_missing_from_reingest_is_kept(store: Store) -> None:
    full = make_thread(texts=("first", "second", "third"))
    store.save_thread(full)
    shorter = Thread(full.article, full.comments[:2])
    result = store.save_thread(shorter)
    assert (result.added, result.edited, result.unchanged) == (0, 0, 2)
    assert store.load_thread(full.id) == full


def test_article_fields_update_in_place(store: Store) -> None:
    thread = make_thread()
    store.save_thread(thread)
    article = replace(thread.article, title="A corrected title", paragraphs=("Only one now.",))
    store.save_thread(Thread(article, thread.comments))
    assert store.load_thread(thread.id).article == article
    assert count_rows(store)["articles"] == 1


def test_failed_save_stores_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    original = make_thread()
    store.save_thread(original)
    rows = count_rows(store)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    # Versions are written last: by then the article is updated and new comments inserted.
    monkeypatch.setattr(threads, "_insert_versions", fail)
    changed = make_thread(texts=("first, edited", "second", "a new third"))
    changed = Thread(replace(changed.article, title="Changed"), changed.comments)
    with pytest.raises(RuntimeError):
        store.save_thread(changed)
    with pytest.raises(RuntimeError):
        store.save_thread(make_thread("ffff000011112222"))
    assert count_rows(store) == rows
    assert store.load_thread(original.id) == original
    assert [t.id for t in store.list_threads()] == [original.id]


def test_comment_id_of_another_thread_is_a_store_error(store: Store) -> None:
    store.save_thread(make_thread("aaaa000000000000"))
    theirs = make_thread("aaaa000000000000").comments[0]
    intruder = Thread(Article(id="bbbb000000000000"), (replace(theirs, thread_id="bbbb000000000000"),))
    with pytest.raises(StoreError, match="cannot save thread bbbb000000000000"):
        store.save_thread(intruder)
    assert [t.id for t in store.list_threads()] == ["aaaa000000000000"]


# --- lookups -------------------------------------------------------------------------------------


def test_list_threads_newest_first_with_counts(store: Store) -> None:
    store.save_thread(make_thread("1111000000000000", texts=("a",)))
    store.save_thread(make_thread("2222000000000000", texts=("a", "b", "c")))
    listed = store.list_threads()
    assert [(t.id, t.comment_count) for t in listed] == [("2222000000000000", 3), ("1111000000000000", 1)]
    assert listed[0].title == "A title" and listed[0].outlet == "Example News"
    assert listed[0].ingested_at.tzinfo is not None


def test_resolve_thread_id(store: Store) -> None:
    for thread_id in ("abcd111100000000", "abcd222200000000", "abc"):
        store.save_thread(make_thread(thread_id))
    assert store.resolve_thread_id("abcd111100000000") == "abcd111100000000"
    assert store.resolve_thread_id("abcd1") == "abcd111100000000"
    assert store.resolve_thread_id(" abcd2222 ") == "abcd222200000000"
    assert store.resolve_thread_id("abc") == "abc"  # exact ids of any length
    with pytest.raises(ThreadNotFound, match="ambiguous"):
        store.resolve_thread_id("abcd")
    with pytest.raises(ThreadNotFound, match="'ab'"):
        store.resolve_thread_id("ab")
    with pytest.raises(ThreadNotFound, match="'ABCD1'"):
        store.resolve_thread_id("ABCD1")  # case matters on both databases
    with pytest.raises(ThreadNotFound, match="'ab%_'"):
        store.resolve_thread_id("ab%_")  # LIKE wildcards are literal
    with pytest.raises(ThreadNotFound, match="'9999'"):
        store.load_thread(store.resolve_thread_id("9999"))


def test_load_unknown_thread(store: Store) -> None:
    store.save_thread(make_thread())
    assert store.has_thread("a1b2c3d4e5f60718")
    assert not store.has_thread("nope")
    with pytest.raises(ThreadNotFound, match="nope"):
        store.load_thread("nope")


# --- runs, findings, decisions ---------------------------------------------------------------------


def test_runs_save_and_update(store: Store) -> None:
    run = Run(id="run-1", kind="ingest", started_at=T0, config={"source": "page.html", "limits": [1, 2]})
    store.save_run(run)
    finished = replace(run, finished_at=T0 + timedelta(seconds=3))
    store.save_run(finished)
    assert store.load_run("run-1") == finished
    assert store.load_run("run-2") is None


def test_findings_append_and_read_back(store: Store) -> None:
    thread = make_thread()
    store.save_thread(thread)
    first, second = thread.comments
    batch = [
        Finding(first.id, "tone", "1.0", "hostile", 0.25, (Span(0, 5, "insult"),), {"why": ["x"]}, "run-1"),
        Finding(second.id, "tone", "1.0", "civil", 0.875),
    ]
    assert store.add_findings(batch) == 2
    again = replace(batch[0], score=0.5, run_id="run-2")
    store.add_findings([again])  # same comment and analyser: appended, not replacing
    store.add_findings([Finding("elsewhere", "tone", "1.0", "civil", 0.1)])
    assert list(store.iter_findings(thread.id)) == [*batch, again]
    assert list(store.iter_findings("no-such-thread")) == []


def test_decisions_append_and_read_back(store: Store) -> None:
    hide = Decision("d1", "c1", "hide", "mod@example", T0, "abuse", ("f:1", "f:2"))
    restore = Decision("d2", "c1", "show", "lead@example", T0 + timedelta(hours=1), supersedes="d1")
    other = Decision("d3", "c2", "hide", "policy", T0 + timedelta(minutes=5))
    for decision in (restore, other, hide):
        store.add_decision(decision)
    assert list(store.iter_decisions("c1")) == [hide, restore]
    assert list(store.iter_decisions()) == [hide, other, restore]
    with pytest.raises(StoreError):
        store.add_decision(replace(hide, action="show"))  # ids are never reused or overwritten
    assert list(store.iter_decisions("c1")) == [hide, restore]


# --- opening and schema ---------------------------------------------------------------------------


def test_migrated_schema_matches_metadata(store: Store) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.execute(sa.text("select version_num from alembic_version")).scalar_one()
    assert diffs == []
    assert version == "i16_article_republication"  # the newest: i11_*, i12, i13_0004, i14, i15, i13s2, i16 chained


def test_reopen_keeps_data(store_url: str) -> None:
    with Store.open(store_url) as first:
        first.save_thread(make_thread())
    with Store.open(store_url) as second:
        assert second.load_thread("a1b2c3d4e5f60718") == make_thread()


def test_sqlite_file_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "threadwise.db"
    with Store.open(f"sqlite:///{path}") as store, store.engine.connect() as conn:
        assert path.exists()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_in_memory_works() -> None:
    with Store.open("sqlite://") as store:
        store.save_thread(make_thread())
        assert store.load_thread("a1b2c3d4e5f60718") == make_thread()


@pytest.mark.parametrize(
    "url", ["not a url", "nosuchdb://x/y", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"]
)
def test_bad_url_is_a_store_error_naming_it(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert caught.value.source is not None
    assert url.replace("secret", "***") == caught.value.source
    assert "secret" not in str(caught.value)


def test_reply_context_is_the_chain_above_a_comment(store: Store) -> None:
    """A new reply's context: the article, the chain above its parent (latest texts) and the next position."""
    article = Article(id="t1", title="A title", paragraphs=("First paragraph.",))
    thread = Thread(article, tuple(
        Comment(id=cid, thread_id="t1", text=f"comment {cid}", position=i, parent_id=parent)
        for i, (cid, parent) in enumerate([("a", None), ("b", "a"), ("c", "b"), ("d", None)])))
    store.save_thread(thread)
    store.save_thread(replace(thread, comments=tuple(
        replace(c, text="edited b") if c.id == "b" else c for c in thread.comments)))
    context = store.load_reply_context("t1", "c")
    assert [c.id for c in context.ancestors] == ["a", "b", "c"]
    assert context.ancestors[1].text == "edited b"
    assert context.article == thread.article and context.next_position == 4
    assert store.load_reply_context("t1", None).ancestors == ()
    with pytest.raises(OrphanComment):
        store.load_reply_context("t1", "nope")
    with pytest.raises(ThreadNotFound):
        store.load_reply_context("missing", None)

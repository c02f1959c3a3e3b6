"""Shared fixtures: where the public datasets are, small hand-built threads, and a store on each database.

A test that reads public datasets says so with ``@pytest.mark.datasets("name", ...)`` or
``@pytest.mark.datasets(use="eval stance")`` (the datasets that command reads, from ``threadwise.datasets``);
where one is absent the test is skipped with a reason naming it, its source and where it is expected, so a
clone without the datasets still passes. Point ``THREADWISE_SHARED_DATA`` at the folder that holds them.

PostgreSQL tests use the server of ``THREADWISE_TEST_PG_URL`` (default: the local ``test`` database).
Each pytest run creates a database of its own there (``tw_run_<random>``, dropped when the run ends) and
each test a schema of its own inside it, so two runs side by side share nothing: not a table, a claim
or an advisory lock. A server that will not create databases for this user gets the named database
with a schema per test instead. Without a reachable server the tests are skipped, except under CI
(``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from threadwise.datasets import dataset_status, get_dataset, missing_message, needed_by
from threadwise.locations import EXAMPLE_PAGE, datasets_dir
from threadwise.model import Article, Comment, Thread
from threadwise.store import Store

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = EXAMPLE_PAGE
PG_URL = os.environ.get("THREADWISE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED_DATA = datasets_dir()  # THREADWISE_SHARED_DATA, else shared/data beside the checkout


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "datasets(*names, use=None): reads these public datasets (or those the "
                            "command `use` reads); skipped, naming what is missing, when they are absent")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip each test whose datasets are not all in place, with the reason (name, source, expected place)."""
    for item in items:
        marker = item.get_closest_marker("datasets")
        if marker is None:
            continue
        reason = missing_datasets_reason(marker.args, marker.kwargs.get("use"))
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def missing_datasets_reason(names: tuple[str, ...], use: str | None) -> str | None:
    datasets = [get_dataset(n) for n in names] + list(needed_by(use) if use else ())
    assert datasets, "a datasets mark names datasets or a use that reads some"
    message = missing_message(dataset_status(datasets, SHARED_DATA))
    return f"public datasets not in place (`threadwise data` lists them): {message}" if message else None


@pytest.fixture
def shared_data() -> Path:
    """The datasets' folder; tests that take it also carry a ``datasets`` mark naming what they read."""
    return SHARED_DATA


def make_thread(*specs: tuple[str, str | None]) -> Thread:
    """A thread from (comment id, parent id) pairs, built by hand."""
    article = Article(id="t1", title="A title", paragraphs=("First paragraph.",))
    comments = tuple(
        Comment(id=cid, thread_id="t1", text=f"comment {cid}", position=i, parent_id=parent, number=str(i + 1))
        for i, (cid, parent) in enumerate(specs)
    )
    return Thread(article=article, comments=comments)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine]:
    """An engine on this run's own database; skips (or fails under CI) when no server answers."""
    server = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        server.dispose()
        reason = f"PostgreSQL not reachable at {PG_URL} ({' '.join(str(exc.orig).split())[:200]})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason + "; set THREADWISE_TEST_PG_URL, or CI to make this a failure")
    run_db = f"tw_run_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{run_db}"'))
    except sa.exc.DBAPIError:  # no CREATEDB right: a schema per test in the named database still isolates
        yield server
        server.dispose()
        return
    engine = sa.create_engine(sa.make_url(PG_URL).set(database=run_db), isolation_level="AUTOCOMMIT")
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)'))
        server.dispose()


def pg_schema_url(pg_admin: sa.Engine, schema: str) -> str:
    """A URL on the run's database whose connections work in ``schema``."""
    url = pg_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_url(pg_admin: sa.Engine) -> Iterator[str]:
    """A URL whose connections work in a fresh schema of their own, dropped after the test."""
    schema = f"tw_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(pg_admin, schema)
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'threadwise.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()

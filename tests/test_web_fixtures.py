"""Shared by the web UI tests: a database seeded through pre-moderation, and a real server on a free port.

Not a test module of its own (it defines no tests); test_web.py and test_web_browser.py import it.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import EXAMPLE, pg_schema_url
from threadwise.api.app import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.ingest import read_thread
from threadwise.model import Article, Comment, Thread
from threadwise.moderation import premoderate
from threadwise.policy import load_policy
from threadwise.store import Store

HOSTILE_THREAD = "bike-lanes"
XSS = ('<script>window.__pwned = "script"</script> You are an idiot, read '
       '<a href="javascript:window.__pwned = \'link\'" onmouseover="window.__pwned = \'hover\'">this</a> '
       '<img src=x onerror="window.__pwned = \'img\'">')  # fmt: skip
HOSTILE_AUTHOR = '<i onmouseover="window.__pwned = \'author\'">mallory</i>'
# id -> (author, parent, text); the insults land in review under the default policy, XSS is reported by a reader.
HOSTILE = {
    "c-xss": (HOSTILE_AUTHOR, None, XSS),
    "c-approve": ("troll", None, "You stupid moron, nobody cares what you think."),
    "c-reject": ("troll", "c-approve", "Shut up, you pathetic clown."),
    "c-bulk1": ("heckler", None, "What an idiot you are, honestly."),
    "c-bulk2": ("heckler", None, "Only a total moron would write this garbage."),
    "c-quote": ("reader", None, '"approved the new bike lanes on Tuesday after a long debate" and it was a waste '
                                "of money, you idiots."),
    "c-fine": ("reader", None, "Nice work on the lanes, thanks for reporting."),
    "c-author1": ("spammer", None, "You clueless idiots will believe anything."),
    "c-author2": ("spammer", None, "Morons, all of you, every single one."),
    "c-count": ("counter", None, "You are a clown and an idiot."),
    "c-escalate": ("escalator", None, "Idiot reporters, as usual, you morons."),
    "c-statement": ("stater", None, "Get lost, you pathetic moron."),
    "c-flagged": ("flagged", None, "Such a pathetic idiot, this writer."),
}


# A commenter with an account at the source: two held insults and one comment the policy published.
REPEATER = {
    "c-repeat1": "You absolute idiots, every one of you.",
    "c-repeat2": "Idiots. Total morons, the lot of you.",
    "c-repeat3": "Thanks for the reporting on the lanes.",
}


def hostile_thread() -> Thread:
    article = Article(id=HOSTILE_THREAD, title="Council approves bike lanes",
                      paragraphs=("The council approved the new bike lanes on Tuesday after a long debate.",))
    comments = [Comment(id=cid, thread_id=HOSTILE_THREAD, text=text, position=i, author=author, parent_id=parent)
                for i, (cid, (author, parent, text)) in enumerate(HOSTILE.items())]  # fmt: skip
    comments += [Comment(id=cid, thread_id=HOSTILE_THREAD, text=text, position=len(comments) + i, author="repeater",
                         author_id="site:repeater") for i, (cid, text) in enumerate(REPEATER.items())]  # fmt: skip
    return Thread(article, tuple(comments))


def seed(store: Store) -> dict[str, str]:
    """The example thread and the hostile one pre-moderated; keys by role name (ann and bob moderate)."""
    policy = load_policy(None)
    premoderate(store, policy, read_thread(EXAMPLE.read_bytes(), str(EXAMPLE)))
    premoderate(store, policy, hostile_thread())
    store.add_report("c-xss", "abusive", reporter="reader-1")
    store.add_report("c-flagged", "personal attack", reporter="reader-2")
    store.add_report("c-flagged", "harassment")
    keys = {name: create_key(store, role, name)[0]
            for name, role in (("ann", "moderator"), ("bob", "moderator"), ("reader", "read-only"))}  # fmt: skip
    return keys


@contextmanager
def database(kind: str, tmp: Path, pg_admin: sa.Engine | None) -> Iterator[str]:
    """A fresh database URL: an SQLite file, or a PostgreSQL schema of its own, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'web.db'}"
        return
    assert pg_admin is not None
    schema = f"tw_web_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(pg_admin, schema)
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def pg_admin_for(request: pytest.FixtureRequest, kind: str) -> sa.Engine | None:
    if kind != "postgresql":
        return None
    engine: sa.Engine = request.getfixturevalue("pg_admin")
    return engine


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # the lifespan loads the models first
        if not thread.is_alive():
            pytest.fail("the server stopped while starting; its log above says why")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@dataclass
class Web:
    client: TestClient
    store: Store
    keys: dict[str, str]


@contextmanager
def web_app(request: pytest.FixtureRequest, tmp: Path) -> Iterator[Web]:
    """The app over a seeded database of the backend ``request.param`` names, with a client that does not follow
    redirects (the tests read them)."""
    with database(request.param, tmp, pg_admin_for(request, request.param)) as url:
        store = Store.open(url)
        try:
            keys = seed(store)
            with TestClient(create_app(ApiSettings(db=url)), follow_redirects=False) as client:
                yield Web(client, store, keys)
        finally:
            store.close()

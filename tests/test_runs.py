"""Runs whose process died are shown as interrupted, not running forever; an interrupted ingest resumes.

The ingest is killed for real (SIGKILL to its process group) while it waits on a page that does not answer.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, REPO
from threadwise import service
from threadwise.cli import app
from threadwise.errors import RunNotResumable
from threadwise.model import Run
from threadwise.owner import Owner
from threadwise.store import Store

DISCUSSION = REPO / "examples" / "demo-discussion.jsonl"


class _Page(BaseHTTPRequestHandler):
    """Serves the example page as text, or holds every request unanswered while ``hang`` is set."""

    hang = threading.Event()

    def do_GET(self) -> None:
        while self.hang.is_set():
            time.sleep(0.05)
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        body = EXAMPLE.read_bytes().replace(b"Ceasefire", b"Truce")  # another article than the file's
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the killed ingest's held request answers into a closed socket: expected, not news


@pytest.fixture
def page_url() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Page.hang.set()
    yield f"http://127.0.0.1:{server.server_address[1]}/story.txt"
    _Page.hang.clear()
    server.shutdown()
    server.server_close()


def stored_threads(db_file: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created or migrated yet


def exited_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_ingest_killed_mid_run_is_interrupted_not_running_and_resumes(tmp_path: Path, page_url: str) -> None:
    db_file = tmp_path / "tw.db"
    db = f"sqlite:///{db_file}"
    sources = [str(EXAMPLE), page_url, str(DISCUSSION)]
    process = subprocess.Popen([sys.executable, "-m", "threadwise", "ingest", *sources, "--db", db],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "THREADWISE_FETCH_TIMEOUT": "600"})  # held until killed
    deadline = time.monotonic() + 120
    while stored_threads(db_file) < 1 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the ingest ended before it reached the page that does not answer"
    with Store.open(db) as store:
        (run,) = store.recent_runs()
    assert run.state() == "running" and run.owner is not None and run.owner.pid == process.pid
    assert service.interrupted_runs(db) == []  # a live run is left alone

    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        killed = store.load_run(run.id)
    assert killed is not None and killed.finished_at is None and killed.state() == "interrupted"

    _Page.hang.clear()  # the page answers now
    resumed = CliRunner().invoke(app, ["ingest", "--resume", run.id, "--db", db], env={"COLUMNS": "300"})
    assert resumed.exit_code == 0, resumed.output
    assert f"note: ingest run {run.id}" in resumed.output and "was interrupted" in resumed.output  # told once
    assert "(0 new, 0 edited, 10 unchanged)" in resumed.output  # stored before the kill: not doubled
    assert resumed.output.count("✓") == 3 and resumed.output.count("(0 new") == 1
    assert service.interrupted_runs(db) == []  # marked in the store (SQL readers see it too), reported once
    listing = CliRunner().invoke(app, ["runs", "--db", db], env={"COLUMNS": "300"})
    # the state cell may wrap in a narrow table: look for its parts
    assert listing.exit_code == 0 and "interrupted" in listing.output, listing.output
    assert f"pid {process.pid}" in listing.output, listing.output
    with Store.open(db) as store:
        latest, old = store.recent_runs()
        assert len(store.list_threads()) == 3
    assert latest.state() == "finished" and latest.config["resumes"] == run.id and latest.config["sources"] == sources
    assert old.id == run.id and old.state() == "interrupted" and old.interrupted_at is not None


def test_only_an_interrupted_ingest_is_resumed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tw.db'}"
    service.ingest([str(EXAMPLE)], db=db)
    with Store.open(db) as store:
        (finished,) = store.recent_runs()
        store.save_run(Run(id="live", kind="ingest", started_at=datetime.now(UTC), config={"sources": []},
                           owner=Owner.current()))
    with pytest.raises(RunNotResumable, match="the run is finished"):
        service.resume_ingest(finished.id, db=db)
    with pytest.raises(RunNotResumable, match=rf"the run is running \(pid {os.getpid()} on "):
        service.resume_ingest("live", db=db)
    with pytest.raises(RunNotResumable, match="no ingest run with this id"):
        service.resume_ingest("no-such-run", db=db)
    result = CliRunner().invoke(app, ["ingest", str(EXAMPLE), "--resume", finished.id, "--db", db])
    assert result.exit_code == 2 and "not both" in result.output


def test_an_owner_is_alive_only_while_its_own_process_runs() -> None:
    me = Owner.current()
    assert me.alive() is True
    assert Owner(me.host, exited_pid(), me.started).alive() is False
    assert Owner(me.host, os.getpid(), "another-boot:1").alive() is False  # the pid reused by another process
    assert Owner(f"not-{socket.gethostname()}", os.getpid(), me.started).alive() is None  # not checkable here


def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.02)
    try:
        assert Owner(socket.gethostname(), child.pid, "").alive() is False  # exited, not yet reaped
    finally:
        child.wait()


def test_unfinished_runs_of_dead_processes_are_marked_once_on_each_database(store: Store) -> None:
    here = socket.gethostname()
    now = datetime.now(UTC)
    runs = {
        "dead": Run("dead", "ingest", now, owner=Owner(here, exited_pid(), "")),
        "alive": Run("alive", "ingest", now, owner=Owner.current()),
        "elsewhere": Run("elsewhere", "ingest", now, owner=Owner(f"not-{here}", 1, "")),
        "legacy": Run("legacy", "ingest", now),  # stored before runs had owners
        "done": Run("done", "ingest", now, finished_at=now, owner=Owner(here, exited_pid(), "")),
    }
    for run in runs.values():
        store.save_run(run)
    assert [r.id for r in store.mark_interrupted_runs()] == ["dead"]
    assert store.mark_interrupted_runs() == []
    states = {r.id: r.state() for r in store.recent_runs()}
    assert states == {"dead": "interrupted", "alive": "running", "elsewhere": "running elsewhere",
                      "legacy": "unknown", "done": "finished"}
    loaded = store.load_run("alive")
    assert loaded is not None and loaded.owner == Owner.current()

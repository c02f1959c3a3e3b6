"""The demo `make demo` runs: its second thread gives the queue enough to work, and the client script
fails in one line, not a traceback, when no server answers."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from threadwise.ingest import read_thread
from threadwise.moderation import premoderate
from threadwise.policy import load_policy
from threadwise.store import Store

DISCUSSION = REPO / "examples" / "demo-discussion.jsonl"


def test_demo_discussion_fills_the_queue_with_replies_authors_and_work(tmp_path: Path) -> None:
    thread = read_thread(DISCUSSION.read_bytes(), str(DISCUSSION), local_file=True)  # its sidecar article.json
    assert thread.article.title and len(thread.comments) == 16
    assert sum(c.parent_id is not None for c in thread.comments) >= 4
    assert {c.author_key for c in thread.comments if c.author == "greg77"} == {"id:u-1003"}
    with Store.open(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        premoderate(store, load_policy(), thread)
        counts = store.queue_counts(thread.id)
        greg = [i.comment.id for i in store.author_items("id:u-1003", ("review", "pending"))]
    assert counts["review"] >= 5 and counts["approved"] >= 5, counts  # enough to try j/k and bulk on
    assert len(greg) >= 2  # one commenter, several held comments: the bulk-by-commenter case


def test_demo_client_says_in_one_line_that_no_server_answers(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    key = tmp_path / "key.txt"
    key.write_text("tw_nothing")
    script = REPO / "examples" / "try_demo_server.py"
    done = subprocess.run([sys.executable, str(script), "--base", f"http://127.0.0.1:{port}", "--key-file", str(key)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert f"no threadwise server answers at http://127.0.0.1:{port}" in done.stderr
    missing = subprocess.run([sys.executable, str(script), "--key-file", str(tmp_path / "none.txt")],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert missing.returncode == 1 and "run `make demo` first" in missing.stderr

"""The API side of the CLI: `policy check`, `moderate`, and `serve` refusing a bad policy before it listens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from conftest import EXAMPLE
from threadwise.cli import app
from threadwise.policy import DEFAULT_POLICY
from threadwise.store import Store

VIEWPOINT_POLICY = """
[policy]
name = "one-sided"
[[rules]]
name = "no-dissent"
label = "stance.against"
min_score = 0.5
action = "reject"
"""


def threadwise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadwise", *args], capture_output=True, text=True, timeout=120)


def test_policy_check_shows_the_rules_of_a_valid_policy() -> None:
    result = CliRunner().invoke(app, ["policy", "check", str(DEFAULT_POLICY)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "toxicity.threat" in result.output and "otherwise: approve" in result.output


def test_policy_check_and_serve_refuse_a_viewpoint_rule_and_say_why(tmp_path: Path) -> None:
    policy = tmp_path / "one-sided.toml"
    policy.write_text(VIEWPOINT_POLICY, encoding="utf-8")
    checked = threadwise("policy", "check", str(policy))
    assert checked.returncode == 2 and "TW-E071" in checked.stderr and "stance" in checked.stderr
    served = threadwise("serve", "--policy", str(policy), "--db", f"sqlite:///{tmp_path / 's.db'}", "--port", "1")
    assert served.returncode == 2 and "TW-E071" in served.stderr  # refused before it listens


def test_moderate_queues_a_stored_thread(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(EXAMPLE), "--db", db]).exit_code == 0
    with Store.open(db) as store:
        (summary,) = store.list_threads()
    result = runner.invoke(app, ["moderate", summary.id[:8], "--db", db], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"recorded {summary.comment_count} suggestions" in result.output
    with Store.open(db) as store:
        counts = store.queue_counts(summary.id)
        assert counts["pending"] == 0 and sum(counts.values()) == summary.comment_count
        assert all(item.suggestion is not None for item in store.queue(thread_id=summary.id, limit=None))
    again = runner.invoke(app, ["moderate", summary.id, "--db", db], terminal_width=200)
    assert f"({summary.comment_count} kept as they were)" in again.output  # the same policy repeats nothing

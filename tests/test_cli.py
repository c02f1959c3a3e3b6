"""The command line, end to end on a SQLite file: ingest → threads → show → export."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, FIXTURES
from threadwise import cli as cli_module
from threadwise.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Wide enough that no phrase the tests look for is wrapped inside the article panel."""
    monkeypatch.setattr(cli_module.console, "width", 400)


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def threadwise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "threadwise", *args], capture_output=True, text=True, timeout=120)


def test_cli_ingest_then_show_prints_article_parts_and_numbers(db):
    assert "10 new" in cli("ingest", str(EXAMPLE), "--db", db)
    shown = cli("show", str(EXAMPLE), "--db", db)
    for part in ("The Ceasefire Nobody Wants to Talk About", "Elena Marsh / The Northern Review",
                 "CC BY-SA 4.0", "Her most recent book", "Three winters into the war"):
        assert part in shown
    for number in ("1", "3", "4", "7", "8", "9", "10", "12", "13", "15"):  # the page's own numbers, as the report
        assert f"#{number} " in shown or f"#{number}\n" in shown


def test_cli_reingest_adds_nothing(db):
    cli("ingest", str(EXAMPLE), "--db", db)
    assert "0 new, 0 edited, 10 unchanged" in cli("ingest", str(EXAMPLE), "--db", db)


def test_cli_threads_lists_by_prefix_and_show_accepts_prefix(db):
    cli("ingest", str(EXAMPLE), "--db", db)
    listing = cli("threads", "--db", db)
    assert "The Ceasefire" in listing
    thread_id = next(w for w in listing.split() if len(w) == 16 and all(c in "0123456789abcdef" for c in w))
    assert "Elena Marsh" in cli("show", thread_id[:6], "--db", db)


def test_cli_json_export_holds_every_article_part_and_comment(db, tmp_path):
    cli("ingest", str(EXAMPLE), "--db", db)
    out = tmp_path / "thread.json"
    cli("export", str(EXAMPLE), "--format", "json", "-o", str(out), "--db", db)
    record = json.loads(out.read_text())
    article = record["article"]
    assert (article["author"], article["outlet"]) == ("Elena Marsh", "The Northern Review")
    assert article["image_credit"].startswith("Mira Kovach") and "Vienna" in article["author_bio"]
    assert len(article["paragraphs"]) == 4 and article["republication"].startswith("This article was originally")
    numbers = {c["number"]: c for c in record["comments"]}
    assert list(numbers) == ["1", "3", "4", "7", "8", "9", "10", "12", "13", "15"]
    assert numbers["13"]["parent_id"] == numbers["3"]["id"]
    assert numbers["3"]["text"].startswith('"Critics will call this appeasement.')


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_cli_tabular_export_round_trips_through_ingest(db, tmp_path, fmt):
    cli("ingest", str(EXAMPLE), "--db", db)
    out = tmp_path / f"thread.{fmt}"
    cli("export", str(EXAMPLE), "--format", fmt, "-o", str(out), "--db", db)
    assert (tmp_path / "thread.article.json").exists()
    if fmt == "parquet":
        assert pq.read_table(out).num_rows == 10
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert "10 new" in cli("ingest", str(out), "--db", other)
    shown = cli("show", str(out), "--db", other)
    assert "The Northern Review" in shown and "#15" in shown


def test_cli_bad_input_names_file_and_stores_nothing_new(db, tmp_path):
    cli("ingest", str(EXAMPLE), "--db", db)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = threadwise("ingest", str(empty), str(FIXTURES / "text" / "article_only.txt"), "--db", db)
    assert result.returncode == 1
    assert "TW-E001" in result.stderr and "empty.txt" in result.stderr
    assert "article_only.txt" in result.stdout  # the good input still went in
    listing = cli("threads", "--db", db)
    assert listing.count("\n│ ") >= 2 or "Harbour" in listing or "Ana Lind" in listing


def test_cli_unknown_thread_is_a_coded_error(db):
    cli("ingest", str(EXAMPLE), "--db", db)
    result = threadwise("show", "zzzzzz", "--db", db)
    assert result.returncode == 2
    assert "TW-E021" in result.stderr and "zzzzzz" in result.stderr


def test_cli_help_reads_well():
    for command in ("ingest", "threads", "show", "export"):
        text = cli(command, "--help")
        assert "Usage" in text and "--db" in text


def test_cli_export_to_standard_output_pipes_the_comments(db):
    cli("ingest", str(EXAMPLE), "--db", db)
    piped = runner.invoke(app, ["export", str(EXAMPLE), "--format", "jsonl", "-o", "-", "--db", db])
    records = [json.loads(line) for line in piped.stdout.splitlines()]  # nothing but data: a pipe reads it as is
    assert piped.exit_code == 0 and len(records) == 10 and records[0]["number"] == "1"
    whole = json.loads(runner.invoke(app, ["export", str(EXAMPLE), "-o", "-", "--db", db]).stdout)
    assert whole["article"]["title"] and len(whole["comments"]) == 10
    refused = runner.invoke(app, ["export", str(EXAMPLE), "--format", "parquet", "-o", "-", "--db", db])
    assert refused.exit_code != 0 and "binary" in refused.output

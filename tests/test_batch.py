"""threadwise batch, in one process (fast tier): inputs, bad rows, missing articles, output schema, resume rules."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from conftest import EXAMPLE
from threadwise.batch import BatchOptions, run_batch
from threadwise.batch.errors import (
    BatchInputError,
    InputChanged,
    InvalidBatchOption,
    OutputExists,
    SettingsChanged,
)
from threadwise.batch.schema import COMMENTS_SCHEMA, FINDINGS_SCHEMA

ARTICLE = {"id": "a1", "title": "Budget", "paragraphs": [
    "The budget deficit will triple by 2030, the minister said on Monday.", "Critics disagreed."]}
COMMENTS = [
    {"id": 1, "thread_id": "a1", "text": "The minister is an idiot and a liar."},
    {"id": 2, "thread_id": "a1", "parent_id": 1,
     "text": 'They wrote "the budget deficit will triple by 2030, the minister said" and I doubt it.'},
    {"id": 3, "thread_id": "a2", "text": "No article here, but a thoughtful remark about taxes."},
    {"id": 4, "thread_id": "a1", "parent_id": 1, "text": "You said: the minister is an idiot and a liar. Rude."},
]


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read(out: Path, table: str) -> pa.Table:
    return ds.dataset(out / table, format="parquet").to_table()


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    return write_jsonl(tmp_path / "c.jsonl", COMMENTS), write_jsonl(tmp_path / "articles.jsonl", [ARTICLE])


def test_batch_writes_a_summary_per_comment_and_findings_in_input_order(corpus: tuple[Path, Path],
                                                                        tmp_path: Path) -> None:
    comments, articles = corpus
    summary = run_batch([str(comments)], tmp_path / "out.parquet", articles=[str(articles)],
                        options=BatchOptions(partition_size=2))
    out = tmp_path / "out.parquet"
    assert (summary.comments, summary.partitions, summary.partitions_run) == (4, 2, 2)
    assert sorted(p.name for p in (out / "findings").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    rows = read(out, "comments")
    assert rows.schema == COMMENTS_SCHEMA and read(out, "findings").schema == FINDINGS_SCHEMA
    assert rows.column("comment_id").to_pylist() == ["1", "2", "3", "4"]
    assert rows.column("line").to_pylist() == [1, 2, 3, 4]
    findings = read(out, "findings").to_pylist()
    assert [f["seq"] for f in findings] == sorted(f["seq"] for f in findings)
    insult = [f for f in findings if f["comment_id"] == "1" and f["label"] == "toxicity"]
    assert insult[0]["score"] > 0.5 and insult[0]["spans"], "an insult is scored with evidence spans"
    quoted = [f for f in findings if f["label"] == "quotes_article"]
    assert [f["comment_id"] for f in quoted] == ["2"]
    assert json.loads(quoted[0]["detail"])["article_paragraph"] == 0
    assert not (out / "_staging.sqlite").exists(), "the staging copy of the corpus is removed when done"
    assert summary.findings == len(findings) == sum(rows.column("findings").to_pylist())


def test_batch_gives_replies_their_parent_across_partitions(tmp_path: Path) -> None:
    # comment 4 quotes comment 1, two partitions earlier; comment 0 (same words) replies to 4, which comes later
    rows = [dict(COMMENTS[3], id=0), *COMMENTS[:3], COMMENTS[3]]
    rows[0]["parent_id"] = 4
    run_batch([str(write_jsonl(tmp_path / "c.jsonl", rows))], tmp_path / "out",
              options=BatchOptions(partition_size=2))
    parent_quotes = [f for f in read(tmp_path / "out", "findings").to_pylist() if f["label"] == "quotes_parent"]
    assert {f["comment_id"] for f in parent_quotes} == {"0", "4"}
    summaries = {r["comment_id"]: r for r in read(tmp_path / "out", "comments").to_pylist()}
    assert summaries["0"]["parent_found"] and summaries["4"]["parent_found"]
    assert summaries["1"]["parent_found"] is None


def test_batch_skips_corrupt_rows_into_the_errors_file_and_goes_on(tmp_path: Path) -> None:
    rows: list[object] = [
        COMMENTS[0], "{not json", {"id": 9, "thread_id": "a1"}, {"id": 10, "thread_id": "a1", "text": ["a", "list"]},
        {"id": {"x": 1}, "thread_id": "a1", "text": "an id that is an object"}, {"id": 11, "text": "no thread"},
        {"id": 1, "thread_id": "a1", "text": "the same id again"}, "[1, 2]",
        {"id": 12, "thread_id": "a1", "text": "  "},
        COMMENTS[2],
    ]
    summary = run_batch([str(write_jsonl(tmp_path / "c.jsonl", rows))], tmp_path / "out")
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    corrupt = [(e["line"], e["reason"]) for e in errors if e["kind"] == "corrupt_row"]
    assert [line for line, _ in corrupt] == [2, 3, 4, 5, 6, 7, 8, 9]
    reasons = dict(corrupt)
    assert reasons[2].startswith("not valid JSON") and reasons[3] == "text is missing"
    assert reasons[4] == "text is a list, not a string" and reasons[5] == "id is a dict, not text"
    assert reasons[6] == "thread_id is missing" and "occurs twice" in reasons[7] and "line 1" in reasons[7]
    assert reasons[8] == "a JSON list, not an object" and reasons[9] == "text is empty"
    assert all(e["code"] == "TW-E119" and e["source"] == str(tmp_path / "c.jsonl") for e in errors[:8])
    assert summary.comments == 2 and summary.corrupt_rows == 8
    assert read(tmp_path / "out", "comments").column("line").to_pylist() == [1, 10]


def test_batch_reports_a_thread_without_article_and_still_analyses_it(corpus: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    comments, articles = corpus
    summary = run_batch([str(comments)], tmp_path / "out", articles=[str(articles)])
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert errors == [{"kind": "missing_article", "code": "TW-E116", "source": None, "line": None,
                       "reason": "no article for this thread: its comments are analysed without the article",
                       "thread_id": "a2", "comments": 1}]
    assert summary.threads_without_article == 1 and summary.corrupt_rows == 0
    by_id = {r["comment_id"]: r for r in read(tmp_path / "out", "comments").to_pylist()}
    assert by_id["3"]["article_found"] is False and by_id["1"]["article_found"] is True
    assert by_id["3"]["labels"] == ["toxicity:toxicity"], "text-only analysers still run on it"


def test_batch_without_articles_file_finds_no_article_quotes(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    comments, _ = corpus
    run_batch([str(comments)], tmp_path / "out")
    labels = set(read(tmp_path / "out", "findings").column("label").to_pylist())
    assert "quotes_article" not in labels and "quotes_parent" in labels


def test_batch_reads_csv_and_parquet_as_it_reads_jsonl(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    articles = corpus[1]
    columns = ["id", "thread_id", "parent_id", "text"]
    with open(tmp_path / "c.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in columns} for row in COMMENTS)
    table = pa.Table.from_pylist([{k: (None if row.get(k) is None else str(row[k])) for k in columns}
                                  for row in COMMENTS])
    pq.write_table(table, tmp_path / "c.parquet")
    results = []
    for name in ("c.jsonl", "c.csv", "c.parquet"):
        run_batch([str(tmp_path / name)], tmp_path / f"out-{name}", articles=[str(articles)])
        results.append(read(tmp_path / f"out-{name}", "findings").drop_columns(["run_id"]))
    assert results[0].num_rows > 0 and results[0].equals(results[1]) and results[0].equals(results[2])


def test_batch_reads_a_folder_of_pages(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(EXAMPLE, pages / "op-ed.txt")
    (pages / "empty.txt").write_text("")
    summary = run_batch([str(pages)], tmp_path / "out")
    rows = read(tmp_path / "out", "comments").to_pylist()
    assert summary.comments == len(rows) > 5 and summary.threads_without_article == 0
    assert all(r["article_found"] and r["source"] == str(pages / "op-ed.txt") for r in rows)
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [(e["source"], e["line"]) for e in errors] == [(str(pages / "empty.txt"), None)]
    assert "TW-E001" in errors[0]["reason"]


def test_batch_output_reads_in_duckdb(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    comments, articles = corpus
    run_batch([str(comments)], tmp_path / "out.parquet", articles=[str(articles)],
              options=BatchOptions(partition_size=3))
    out = tmp_path / "out.parquet"
    counts = duckdb.sql(f"SELECT c.comment_id, count(f.label) FROM '{out}/comments/*.parquet' c "
                        f"LEFT JOIN '{out}/findings/*.parquet' f USING (seq) GROUP BY ALL ORDER BY 1").fetchall()
    assert counts == [(r["comment_id"], r["findings"]) for r in read(out, "comments").to_pylist()]


def test_batch_refuses_an_output_holding_another_run(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    comments, _ = corpus
    run_batch([str(comments)], tmp_path / "out")
    with pytest.raises(OutputExists) as caught:
        run_batch([str(comments)], tmp_path / "out")
    assert caught.value.code == "TW-E111" and "--resume" in caught.value.fix
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(OutputExists):
        run_batch([str(comments)], tmp_path / "other")


def test_batch_resume_of_a_finished_run_changes_nothing(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    comments, _ = corpus
    run_batch([str(comments)], tmp_path / "out", options=BatchOptions(partition_size=2))
    before = read(tmp_path / "out", "findings")
    again = run_batch([str(comments)], tmp_path / "out", options=BatchOptions(partition_size=2, resume=True))
    assert again.partitions_run == 0 and again.comments == 4
    assert read(tmp_path / "out", "findings").equals(before)


def test_batch_resume_refuses_changed_input_or_settings(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    comments, _ = corpus
    run_batch([str(comments)], tmp_path / "out", options=BatchOptions(partition_size=2))
    with pytest.raises(SettingsChanged) as settings:
        run_batch([str(comments)], tmp_path / "out", options=BatchOptions(partition_size=3, resume=True))
    write_jsonl(comments, [*COMMENTS, {"id": 5, "thread_id": "a1", "text": "one more"}])
    with pytest.raises(InputChanged) as changed:
        run_batch([str(comments)], tmp_path / "out", options=BatchOptions(partition_size=2, resume=True))
    assert (settings.value.code, changed.value.code) == ("TW-E113", "TW-E112")


@pytest.mark.parametrize(("options", "problem"), [
    (BatchOptions(tier="fastest"), "unknown tier"),
    (BatchOptions(tier="fast", analysers=("claims",)), "cannot run claims"),
    (BatchOptions(workers=0), "--workers 0"),
    (BatchOptions(partition_size=0), "--partition-size 0"),
    (BatchOptions(workers=2, scheduler="tcp://127.0.0.1:8786"), "--workers with --scheduler"),
])
def test_batch_refuses_bad_options_before_reading(corpus: tuple[Path, Path], tmp_path: Path,
                                                  options: BatchOptions, problem: str) -> None:
    with pytest.raises(InvalidBatchOption, match=problem):
        run_batch([str(corpus[0])], tmp_path / "out", options=options)
    assert not (tmp_path / "out").exists()


def test_batch_refuses_missing_inputs_and_unknown_suffixes(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("x")
    for ref in (str(tmp_path / "nope.jsonl"), str(tmp_path / "c.txt")):
        with pytest.raises(BatchInputError) as caught:
            run_batch([ref], tmp_path / "out")
        assert caught.value.code == "TW-E110" and caught.value.source == ref


def test_batch_cli_reports_the_run_and_where_the_errors_are(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from threadwise.cli import app

    comments, articles = corpus
    result = CliRunner().invoke(app, ["batch", str(comments), "--articles", str(articles), "-o",
                                      str(tmp_path / "out.parquet"), "--partition-size", "3"])
    assert result.exit_code == 0, result.output
    assert "4 comments in 2 partitions" in result.output
    assert "0 rows skipped, 1 threads without article" in result.output and "errors.jsonl" in result.output


def test_batch_cli_exits_with_a_coded_error_when_no_row_is_readable(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = write_jsonl(tmp_path / "bad.jsonl", ["{oops", {"id": 1, "thread_id": "t", "text": 3}])
    done = subprocess.run([sys.executable, "-m", "threadwise", "batch", str(bad), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "TW-E110" in done.stderr and "errors.jsonl" in done.stderr
    assert len((tmp_path / "out" / "errors.jsonl").read_text().splitlines()) == 2


def test_batch_reports_bad_csv_rows_and_wrongly_typed_parquet_columns(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("id,thread_id,text\n1,t,fine\n2,t,too,many,cells\n3,t,\n", encoding="utf-8")
    pq.write_table(pa.table({"id": [1, 2], "thread_id": ["t", "t"], "text": [5, 6]}), tmp_path / "c.parquet")
    summary = run_batch([str(tmp_path / "c.csv"), str(tmp_path / "c.parquet")], tmp_path / "out")
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [(Path(e["source"]).name, e["line"], e["reason"]) for e in errors if e["kind"] == "corrupt_row"] == [
        ("c.csv", 3, "5 cells where the header names 3 columns"), ("c.csv", 4, "text is empty"),
        ("c.parquet", 1, "text is a int, not a string"), ("c.parquet", 2, "text is a int, not a string"),
    ]
    assert summary.comments == 1


def test_batch_survives_replies_that_loop_or_name_a_missing_parent(tmp_path: Path) -> None:
    rows = [{"id": 1, "thread_id": "t", "parent_id": 2, "text": "first"},
            {"id": 2, "thread_id": "t", "parent_id": 1, "text": "second"},
            {"id": 3, "thread_id": "t", "parent_id": 99, "text": "third"}]
    run_batch([str(write_jsonl(tmp_path / "c.jsonl", rows))], tmp_path / "out")
    found = {r["comment_id"]: r["parent_found"] for r in read(tmp_path / "out", "comments").to_pylist()}
    assert found == {"1": True, "2": True, "3": False}


def test_batch_reads_a_json_array_as_ingest_does(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    comments, articles = corpus
    (tmp_path / "c.json").write_text(json.dumps(COMMENTS), encoding="utf-8")
    (tmp_path / "wrapped.json").write_text(json.dumps({"comments": COMMENTS}), encoding="utf-8")
    results = []
    for path in (comments, tmp_path / "c.json", tmp_path / "wrapped.json"):
        run_batch([str(path)], tmp_path / f"out-{path.name}", articles=[str(articles)])
        results.append(read(tmp_path / f"out-{path.name}", "findings").drop_columns(["run_id"]))
    assert results[0].num_rows > 0 and results[0].equals(results[1]) and results[0].equals(results[2])


def test_batch_without_a_required_field_names_it_once_with_the_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from threadwise.cli import app

    rows = [{"id": i, "thread_id": "a1", "body": "the text under another name"} for i in range(1, 4)]
    source = write_jsonl(tmp_path / "c.jsonl", rows)
    result = CliRunner().invoke(app, ["batch", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    message = " ".join(str(result.exception or "").split()) + " ".join(result.output.split())
    assert f"the first, {source} line 1: text is missing" in message
    assert message.count("text is missing") == 1  # said once, not per row

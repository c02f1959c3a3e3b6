"""Thread → JSON, JSON lines or Parquet.

JSON holds the whole thread (article parts and comments). JSON lines and Parquet hold one row per
comment with the columns the tabular importer reads back (id, parent_id, author, text, created_at,
number, position, thread_id); the article goes beside them as ``<stem>.article.json`` so an export
can be ingested again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from threadwise.model import Article, Comment, Finding, Thread

if TYPE_CHECKING:
    from threadwise.service import Analysis

EXPORT_FORMATS = ("json", "jsonl", "parquet")

COMMENT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("thread_id", pa.string()),
        ("parent_id", pa.string()),
        ("number", pa.string()),
        ("position", pa.int64()),
        ("author", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("text", pa.string()),
    ]
)


def article_record(article: Article) -> dict[str, Any]:
    record = _jsonable(asdict(article))
    record["paragraphs"] = list(article.paragraphs)
    return record


def comment_record(comment: Comment) -> dict[str, Any]:
    return _jsonable({name: getattr(comment, name) for name in COMMENT_SCHEMA.names})


def finding_record(finding: Finding) -> dict[str, Any]:
    record = asdict(finding)
    record["spans"] = [{"start": s.start, "end": s.end, "label": s.label} for s in finding.spans]
    record["detail"] = dict(finding.detail)
    return record


def thread_record(thread: Thread) -> dict[str, Any]:
    """The whole thread as one JSON-ready dict; comments in page order, each with its parent."""
    return {"article": article_record(thread.article), "comments": [comment_record(c) for c in thread.comments]}


def analysis_record(analysis: Analysis) -> dict[str, Any]:
    return {
        **thread_record(analysis.thread),
        "run": _jsonable(asdict(analysis.run)),
        "findings": [finding_record(f) for f in analysis.findings],
        "failures": [asdict(f) for f in analysis.failures],
    }


TEXT_FORMATS = ("json", "jsonl")  # those that can go to standard output


def export_text(thread: Thread, fmt: str) -> str:
    """The thread as text: ``json`` the whole thread, ``jsonl`` one comment per line (no article)."""
    if fmt == "json":
        return json.dumps(thread_record(thread), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(comment_record(c), ensure_ascii=False) + "\n" for c in thread.comments)
    raise ValueError(f"{fmt!r} is not a text format; use one of {', '.join(TEXT_FORMATS)}")


def write_export(thread: Thread, fmt: str, out: Path) -> list[Path]:
    """Write the thread to ``out`` in ``fmt``; returns every file written (with the article sidecar)."""
    if fmt == "json":
        out.write_text(export_text(thread, fmt), encoding="utf-8")
        return [out]
    if fmt == "jsonl":
        out.write_text(export_text(thread, fmt), encoding="utf-8")
    elif fmt == "parquet":
        rows = [{n: getattr(c, n) for n in COMMENT_SCHEMA.names} for c in thread.comments]
        pq.write_table(pa.Table.from_pylist(rows, schema=COMMENT_SCHEMA), out)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    sidecar = out.with_name(f"{out.stem}.article.json")
    sidecar.write_text(json.dumps(article_record(thread.article), ensure_ascii=False, indent=2), encoding="utf-8")
    return [out, sidecar]


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in record.items()}

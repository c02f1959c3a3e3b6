"""Tabular comment exports: CSV/TSV, JSON lines and Parquet, one comment per row.

Columns: ``id`` and ``text`` (required), ``parent_id``, ``author``, ``author_id``, ``created_at``, ``number`` and
``thread_id``/``article_id`` (optional). Rows keep the file's order. The article comes from the
caller (``read_thread(..., local_file=True)`` reads the ``<stem>.article.json`` sidecar beside a file on
the caller's own disk), else is a minimal one. A parser never opens a file named by its input: over the API
the source is the client's word, and the server's disk is not the client's.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from threadwise.errors import MalformedInput, MissingColumn
from threadwise.ingest.assemble import RawComment, article_id, assemble_thread, parse_datetime
from threadwise.ingest.decode import decode_text, replace_surrogates
from threadwise.model import Article, Thread

REQUIRED_COLUMNS = ("id", "text")
_THREAD_COLUMNS = ("thread_id", "article_id")
_DELIMITERS = (",", "\t", ";", "|")
_FLOAT_OF_INT = re.compile(r"^-?\d+\.0+$")

Row = tuple[str, Mapping[str, Any]]  # (where the row is, for errors; its cells by column name)


# --- shared helpers (also used by the JSON and XML exports) -------------------------------------


def scalar_text(value: object, what: str, where: str, source: str) -> str | None:
    """A cell as text: None for absent/NaN; numbers and flags coerced; containers refused."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # pandas writes nullable integer ids as floats: 3.0 means "3"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list | tuple | set):
        raise MalformedInput(f"{where}: {what} is a {type(value).__name__}, not text", source=source)
    return replace_surrogates(str(value))


def safe_datetime(value: object) -> datetime | None:
    """``parse_datetime`` that never raises: a bad timestamp in an export is a missing one."""
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError, OSError, TypeError):  # e.g. epoch seconds out of range
        return None


def minimal_article(source: str, fmt: str, url: str | None = None, *key: object) -> Article:
    """The article when the export says nothing about it: keyed by its URL or by the source."""
    return Article(id=article_id(url, source, *key), url=url, source_format=fmt)


def article_from_json(obj: object, source: str) -> Article:
    """An article from an ``*.article.json`` object (keys id, url, title, paragraphs or text…)."""
    if not isinstance(obj, dict):
        raise MalformedInput("article JSON must be an object", source=source)

    def text(key: str) -> str | None:
        value = scalar_text(obj.get(key), key, "article", source)
        return (value or "").strip() or None

    url = text("url")
    return Article(
        id=text("id") or article_id(url, source),
        url=url,
        outlet=text("outlet"),
        title=text("title"),
        author=text("author"),
        paragraphs=_article_paragraphs(obj, source),
        image_credit=text("image_credit"),
        author_bio=text("author_bio"),
        republication=text("republication"),
        published_at=safe_datetime(obj.get("published_at")),
        source_format=text("source_format"),
    )


def _article_paragraphs(obj: Mapping[str, Any], source: str) -> tuple[str, ...]:
    paragraphs = obj.get("paragraphs")
    if isinstance(paragraphs, list):
        items = (scalar_text(p, "paragraph", "article", source) for p in paragraphs)
        return tuple(p.strip() for p in items if p and p.strip())
    body = scalar_text(obj.get("text"), "text", "article", source) or ""
    return tuple(p.strip() for p in re.split(r"\n\s*\n", body) if p.strip())


def load_article_sidecar(path: Path) -> Article | None:
    """The article described by ``<stem>.article.json`` beside ``path``; None when there is none."""
    try:
        sidecar = path.with_name(f"{path.stem}.article.json")
        if not sidecar.is_file():
            return None
    except (OSError, ValueError):  # a source that is no usable path (a URL, "", an over-long name)
        return None
    try:
        obj = json.loads(sidecar.read_bytes())
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"article sidecar is not valid JSON ({exc})", source=str(sidecar)) from exc
    return article_from_json(obj, str(sidecar))


# --- parsers ------------------------------------------------------------------------------------


def parse_csv(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """CSV or TSV (the delimiter is sniffed from the header line), one comment per row."""
    text = decode_text(data, source, encoding)
    header_line = text.lstrip("\ufeff\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=header_line.count)
    # strict: a quote left open runs to the end of the file, swallowing every row after it; refuse that.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True)
    try:
        header = [_column_name(name) for name in next(reader, [])]
        rows = list(_csv_rows(reader, header))
    except csv.Error as exc:
        raise MalformedInput(f"unreadable CSV near line {reader.line_num} ({exc})", source=source,
                             fix="close every quoted cell: a cell holding a quote writes it twice (\"\")") from exc
    if not rows and {"id", "text"} <= set(header):
        raise MalformedInput("the CSV has a header but no comment rows", source=source,
                             fix="check the export finished; a thread without comments needs no CSV")
    return rows_to_thread(rows, set(header), source, article, "csv")


def _csv_rows(reader: Any, header: list[str]) -> Iterator[Row]:
    for number, cells in enumerate(reader, 1):
        if any(cell.strip() for cell in cells):  # a blank line is no comment
            yield f"row {number} (line {reader.line_num})", dict(zip(header, cells, strict=False))


def parse_jsonl(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """JSON lines: one comment object per line; blank lines are skipped."""
    text = decode_text(data, source, encoding)
    rows: list[Row] = []
    columns: set[str] = set()
    # split("\n") rather than splitlines(): U+2028 may stand unescaped inside a JSON string.
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if line.strip():
            row = _jsonl_object(line, number, source)
            columns.update(row)
            rows.append((f"line {number}", row))
    return rows_to_thread(rows, columns, source, article, "jsonl")


def _jsonl_object(line: str, number: int, source: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"line {number} is not valid JSON ({exc})", source=source) from exc
    if not isinstance(obj, dict):
        raise MalformedInput(f"line {number} is not a JSON object", source=source)
    return {_column_name(key): value for key, value in obj.items()}


def parse_parquet(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """Parquet (via pyarrow); ``encoding`` is ignored, Parquet strings are UTF-8 by definition."""
    import pyarrow as pa  # imported here: pyarrow is heavy and most inputs are not Parquet
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
        records = table.to_pylist()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise MalformedInput(f"unreadable Parquet file ({exc})", source=source) from exc
    rows = [
        (f"row {n}", {_column_name(k): v for k, v in record.items()}) for n, record in enumerate(records, 1)
    ]
    return rows_to_thread(rows, {_column_name(c) for c in table.column_names}, source, article, "parquet")


# --- rows → thread ------------------------------------------------------------------------------


def rows_to_thread(
    rows: Sequence[Row], columns: set[str], source: str, article: Article | None, fmt: str
) -> Thread:
    """Check the columns, pick the article and one thread's rows, and assemble the thread."""
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(sorted(columns)) or "none"
        raise MissingColumn(f"missing column(s) {', '.join(missing)} (found: {found})", source=source)
    article = article or minimal_article(source, fmt)
    raws = [_raw_comment(where, row, source) for where, row in _one_thread(rows, article, source)]
    return assemble_thread(article, _fix_float_parents(raws), source)


def _one_thread(rows: Sequence[Row], article: Article, source: str) -> Sequence[Row]:
    """The rows of one thread when the file names several: the article's own, else the first.

    Rows without a thread value are kept: they belong to whichever thread the file is about.
    """
    column = next((c for c in _THREAD_COLUMNS if any(c in row for _, row in rows)), None)
    if column is None:
        return rows
    values = [scalar_text(row.get(column), column, where, source) or "" for where, row in rows]
    named = [v.strip() for v in values if v.strip()]
    if not named:
        return rows
    chosen = article.id if article.id in named else named[0]
    return [row for row, value in zip(rows, values, strict=True) if value.strip() in ("", chosen)]


def _raw_comment(where: str, row: Mapping[str, Any], source: str) -> RawComment:
    def cell(name: str) -> str | None:
        return scalar_text(row.get(name), name, where, source)

    key = (cell("id") or "").strip()
    text = cell("text")
    if not key:
        raise MalformedInput(f"{where} has no id", source=source)
    if text is None or not text.strip():
        raise MalformedInput(f"{where} (comment {key!r}) has no text", source=source)
    return RawComment(
        key=key,
        text=text.strip(),
        parent_key=(cell("parent_id") or "").strip() or None,
        number=(cell("number") or "").strip() or None,
        author=(cell("author") or "").strip() or None,
        created_at=safe_datetime(row.get("created_at")),
        author_id=(cell("author_id") or "").strip() or None,  # as the exporting system spells it
    )


def _fix_float_parents(raws: Iterable[RawComment]) -> list[RawComment]:
    """Read a parent "3.0" as "3" when only "3" exists: a float column's mark, not another comment."""
    raws = list(raws)
    keys = {raw.key for raw in raws}
    fixed = []
    for raw in raws:
        parent = raw.parent_key
        if parent is not None and parent not in keys and _FLOAT_OF_INT.match(parent):
            whole = parent.split(".", 1)[0]
            if whole in keys:
                raw = dataclasses.replace(raw, parent_key=whole)
        fixed.append(raw)
    return fixed


def _column_name(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").lower()

"""Streaming readers: comment rows from JSONL/CSV/Parquet files or a folder of pages, articles from JSONL.

Every reader yields one ``SourceRow`` at a time (never a whole file), with the line (JSONL, CSV) or row
number (Parquet) it came from, so a corrupt row can be reported where it is and the rest read on.
``check_row`` turns a row's cells into a ``StagedComment`` or says, in words, why it cannot be one.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from threadwise.batch.errors import BatchInputError
from threadwise.errors import ThreadwiseError
from threadwise.ingest.exports_tabular import article_from_json
from threadwise.model import Article

TABULAR_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "csv",
                    ".parquet": "parquet"}  # fmt: skip
_DELIMITERS = (",", "\t", ";", "|")
_PARQUET_BATCH = 4096


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input row: its cells, or why it could not even be read (bad JSON, not UTF-8, a bad page)."""

    source: str
    line: int | None
    cells: Mapping[str, Any] | None = None
    error: str | None = None
    article: Article | None = None  # pages carry their own article


@dataclass(frozen=True, slots=True)
class StagedComment:
    thread_id: str
    comment_id: str
    text: str
    parent_id: str | None = None
    author: str | None = None
    created_at: str | None = None
    number: str | None = None


def iter_input_files(inputs: list[str]) -> list[tuple[str, str]]:
    """(path, kind) for every input, folders expanded to their page files in sorted order."""
    files: list[tuple[str, str]] = []
    for ref in inputs:
        path = Path(ref)
        if path.is_dir():
            pages = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
            files.extend((str(p), "page") for p in pages)
        elif path.is_file():
            kind = TABULAR_SUFFIXES.get(path.suffix.lower())
            if kind is None:
                suffixes = ", *".join(TABULAR_SUFFIXES)
                raise BatchInputError(f"cannot tell the format from the suffix {path.suffix!r}", source=ref,
                                      fix=f"name comment files *{suffixes}, or pass a folder of pages")
            files.append((ref, kind))
        else:
            raise BatchInputError("no such file or folder", source=ref, fix="check the path")
    return files


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def iter_rows(path: str, kind: str) -> Iterator[SourceRow]:
    """The rows of one input file, streamed."""
    readers = {"jsonl": _jsonl_rows, "json": _json_array_rows, "csv": _csv_rows, "parquet": _parquet_rows,
               "page": _page_rows}  # fmt: skip
    return readers[kind](path)


def _jsonl_rows(path: str) -> Iterator[SourceRow]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8").lstrip("\ufeff")
                obj = json.loads(line)
            except UnicodeDecodeError:
                yield SourceRow(path, number, error="line is not UTF-8 text")
                continue
            except (ValueError, RecursionError) as exc:
                yield SourceRow(path, number, error=f"not valid JSON ({exc})")
                continue
            if isinstance(obj, dict):
                yield SourceRow(path, number, cells={str(k).strip().lower(): v for k, v in obj.items()})
            else:
                yield SourceRow(path, number, error=f"a JSON {type(obj).__name__}, not an object")


def _csv_rows(path: str) -> Iterator[SourceRow]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header_line = handle.readline()
        delimiter = max(_DELIMITERS, key=header_line.count)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = [name.strip().lstrip("\ufeff").lower() for name in next(reader, [])]
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    yield SourceRow(path, reader.line_num,
                                    error=f"{len(cells)} cells where the header names {len(header)} columns")
                    continue
                yield SourceRow(path, reader.line_num, cells=dict(zip(header, cells, strict=True)))
        except csv.Error as exc:
            yield SourceRow(path, reader.line_num, error=f"unreadable CSV from here on ({exc})")


def _parquet_rows(path: str) -> Iterator[SourceRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise BatchInputError(f"unreadable Parquet file ({exc})", source=path) from exc
    number = 0
    for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH):
        for record in batch.to_pylist():
            number += 1
            yield SourceRow(path, number, cells={str(k).strip().lower(): v for k, v in record.items()})


def _page_rows(path: str) -> Iterator[SourceRow]:
    from threadwise.service import read_source  # the ingest stack is only needed for pages

    try:
        thread = read_source(path)
    except ThreadwiseError as error:
        yield SourceRow(path, None, error=str(error))
        return
    for position, comment in enumerate(thread.comments, 1):
        cells = {"id": comment.id, "thread_id": thread.id, "parent_id": comment.parent_id, "text": comment.text,
                 "author": comment.author, "created_at": comment.created_at, "number": comment.number}
        yield SourceRow(path, position, cells=cells, article=thread.article if position == 1 else None)


def iter_articles(path: str) -> Iterator[tuple[int, Article | None, str | None]]:
    """(line, article, error) per line of an articles JSONL file (objects with id, title, paragraphs/text…)."""
    if not Path(path).is_file():
        raise BatchInputError("no such articles file", source=path, fix="check the --articles path")
    for row in _jsonl_rows(path):
        assert row.line is not None
        if row.cells is None:
            yield row.line, None, row.error
        else:
            yield row.line, *_article(row.cells, path)


def _article(cells: Mapping[str, Any], source: str) -> tuple[Article | None, str | None]:
    try:
        if _scalar(cells.get("id"), "id") is None:
            return None, "article has no id"
        return article_from_json(dict(cells), source), None
    except _BadCell as bad:
        return None, str(bad)
    except ThreadwiseError as error:
        return None, error.message


# --- row checks -----------------------------------------------------------------------------------------


def _json_array_rows(path: str) -> Iterator[SourceRow]:
    """A ``.json`` file as ``ingest`` reads one: an array of comment objects, or an object with a ``comments``
    array (a Coral-style export). Read whole: JSON arrays do not stream; JSON lines do."""
    try:
        document = json.loads(Path(path).read_bytes().decode("utf-8").lstrip("\ufeff"))
    except UnicodeDecodeError:
        yield SourceRow(path, None, error="the file is not UTF-8 text")
        return
    except (ValueError, RecursionError) as exc:
        yield SourceRow(path, None, error=f"not valid JSON ({exc})")
        return
    items = document.get("comments") if isinstance(document, dict) else document
    if not isinstance(items, list):
        yield SourceRow(path, None, error="a .json input holds an array of comment objects (or {\"comments\": [...]})")
        return
    for number, obj in enumerate(items, 1):  # "line": the object's place in the array, counted from 1
        if isinstance(obj, dict):
            yield SourceRow(path, number, cells={str(k).strip().lower(): v for k, v in obj.items()})
        else:
            yield SourceRow(path, number, error=f"a JSON {type(obj).__name__}, not an object")


class _BadCell(ValueError):
    pass


def check_row(cells: Mapping[str, Any]) -> StagedComment | str:
    """The comment a row describes, or the reason it cannot be analysed."""
    try:
        comment_id = _scalar(cells.get("id"), "id")
        thread_id = _scalar(cells.get("thread_id", cells.get("article_id")), "thread_id")
        text = cells.get("text")
        parent_id = _scalar(cells.get("parent_id"), "parent_id")
        author = _scalar(cells.get("author"), "author")
        number = _scalar(cells.get("number"), "number")
        created_at = _timestamp(cells.get("created_at"))
    except _BadCell as bad:
        return str(bad)
    if comment_id is None:
        return "id is missing"
    if thread_id is None:
        return "thread_id is missing"
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "text is missing"
    if not isinstance(text, str):
        return f"text is a {type(text).__name__}, not a string"
    text = text.replace("\x00", "").strip()
    if not text:
        return "text is empty"
    return StagedComment(thread_id, comment_id, text, parent_id, author, created_at, number)


def _scalar(value: object, name: str = "value") -> str | None:
    """A cell as an identifier or short text: None when absent; numbers allowed; containers refused."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadCell(f"{name} is a {type(value).__name__}, not text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # pandas writes nullable integer ids as floats: 3.0 means "3"
    text = str(value).strip()
    return text or None


def _timestamp(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _scalar(value, "created_at")

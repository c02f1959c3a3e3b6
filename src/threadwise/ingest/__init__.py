"""Ingest: bytes of a page or export → ``Thread``.

One module per source family; this module only detects the format and dispatches. Every parser has
the signature ``parse(data: bytes, source: str, *, encoding: str | None) -> Thread`` where ``source``
names the input in errors (a path or URL) and seeds stable ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePath

from threadwise.errors import UnknownFormat
from threadwise.ingest import exports, html_page, text_page
from threadwise.ingest.decode import DEFAULT_MAX_BYTES, check_not_empty, check_size
from threadwise.model import Thread

Parser = Callable[..., Thread]

PARSERS: dict[str, Parser] = {
    "text": text_page.parse,
    "html": html_page.parse,
    "wordpress-json": exports.parse_wordpress_json,
    "disqus-xml": exports.parse_disqus_xml,
    "coral-json": exports.parse_coral_json,
    "csv": exports.parse_csv,
    "jsonl": exports.parse_jsonl,
    "parquet": exports.parse_parquet,
}
FORMATS = tuple(PARSERS)

_TABULAR_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_CSV_HEADER = re.compile(rb"^[\w\" ]*(?:[,;\t|][\w\" ]*)+\r?\n")
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<div|<article|<!--)", re.I)


def read_thread(
    data: bytes,
    source: str,
    *,
    format: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Thread:
    """Parse one input into a thread, detecting its format unless ``format`` is given."""
    check_size(data, source, max_bytes)
    check_not_empty(data, source)
    fmt = format or detect_format(data, source)
    if fmt not in PARSERS:
        raise UnknownFormat(f"unknown format {fmt!r}", source=source, fix=f"use one of {', '.join(FORMATS)}")
    return PARSERS[fmt](data, source, encoding=encoding)


def detect_format(data: bytes, source: str) -> str:
    """Decide by content first (exports are recognised by their structure), then by file suffix."""
    if data.startswith(b"PAR1"):
        return "parquet"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or head.startswith(b"<disqus"):
        return "disqus-xml" if b"<disqus" in data[:65536] else "html"
    if head.startswith((b"{", b"[")):
        return _detect_json(data, source)
    if _HTML_START.match(head):
        return "html"
    suffix = PurePath(source.split("?")[0]).suffix.lower()
    if suffix in _TABULAR_SUFFIXES:
        return _TABULAR_SUFFIXES[suffix]
    header = _CSV_HEADER.match(head)
    if header and b"text" in header.group().lower() and b"id" in header.group().lower():
        return "csv"
    # A page is HTML when it holds markup, whatever it is called; anything else is a text dump.
    return "html" if re.search(rb"<(p|div|body|article|span|a|br)[\s/>]", data[:65536], re.I) else "text"


def _detect_json(data: bytes, source: str) -> str:
    try:
        document = json.loads(data)  # bytes: json finds UTF-8/16/32 and skips a UTF-8 BOM itself
    except UnicodeDecodeError:
        # Only the structure matters here; Latin-1 maps every byte, so a legacy encoding still parses.
        return _detect_json(data.decode("latin-1").encode("utf-8"), source)
    except (ValueError, RecursionError):
        return "jsonl"  # one JSON object per line is not one JSON document
    items = document.get("comments") if isinstance(document, dict) else document
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    if isinstance(document, list) and "post" in first and ({"content", "author_name"} & set(first)):
        return "wordpress-json"
    if isinstance(document, dict) and ("story" in document or "comments" in document):
        return "coral-json"
    if isinstance(document, list) and "id" in first and {"body", "revision", "text"} & set(first):
        return "coral-json"  # a bare list of Coral-style comments
    if isinstance(document, dict) and {"id", "text"} <= set(document):
        return "jsonl"  # JSON lines holding a single comment
    raise UnknownFormat(
        "JSON input is neither a WordPress comments list, a Coral export nor JSON lines",
        source=source,
        fix="pass --format to say what it is",
    )

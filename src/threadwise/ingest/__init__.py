"""Ingest: bytes of a page or export → ``Thread``.

One module per source family; this module only detects the format and dispatches. Every parser has
the signature ``parse(data: bytes, source: str, *, encoding: str | None) -> Thread`` where ``source``
names the input in errors (a path or URL) and seeds stable ids.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path, PurePath

from threadwise.errors import CommentsNotFound, ParserFault, ThreadwiseError, UnknownFormat
from threadwise.ingest import exports, html_page, text_page
from threadwise.ingest.decode import DEFAULT_MAX_BYTES, check_not_empty, check_size
from threadwise.ingest.exports_tabular import load_article_sidecar
from threadwise.model import Article, Thread

Parser = Callable[..., Thread]
LOG = logging.getLogger(__name__)

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
TABULAR_FORMATS = ("csv", "jsonl", "parquet")

_TABULAR_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_CSV_HEADER = re.compile(rb"^[\w\" ]*(?:[,;\t|][\w\" ]*)+\r?\n")
_TAG = re.compile(rb"</?(?:p|div|body|article|section|span|a|br|li|ul|ol|h[1-6]|img|table|tr|td)[\s/>]", re.I)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<div|<article|<!--)", re.I)


def read_thread(
    data: bytes,
    source: str,
    *,
    format: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    local_file: bool = False,
) -> Thread:
    """Parse one input into a thread, detecting its format unless ``format`` is given.

    ``local_file``: ``source`` is a path the caller itself opened (the CLI), so a tabular export's
    ``<stem>.article.json`` beside it is read. Otherwise (API uploads, fetched URLs) nothing but ``data``
    is read: a client-chosen source must never open a file on the server.
    """
    check_size(data, source, max_bytes)
    check_not_empty(data, source)
    fmt = format or detect_format(data, source)
    if fmt not in PARSERS:
        raise UnknownFormat(f"unknown format {fmt!r}", source=source, fix=f"use one of {', '.join(FORMATS)}")
    article = load_article_sidecar(Path(source)) if local_file and fmt in TABULAR_FORMATS else None
    thread = _parse(fmt, data, source, encoding, article)
    if fmt == "html" and not thread.comments:
        return _unless_text_shows_comments(thread, data, source, encoding, detected=format is None)
    return thread


def _parse(fmt: str, data: bytes, source: str, encoding: str | None, article: Article | None) -> Thread:
    try:
        return PARSERS[fmt](data, source, encoding=encoding, **({"article": article} if article else {}))
    except ThreadwiseError:
        raise
    except Exception as error:  # a reader's bug costs this input only, never the caller's other inputs
        LOG.exception("the %s reader failed on %s", fmt, source)
        raise ParserFault(f"the {fmt} reader failed: {type(error).__name__}: {error}", source=source) from error


def _unless_text_shows_comments(thread: Thread, data: bytes, source: str, encoding: str | None, *,
                                detected: bool) -> Thread:
    """An HTML reading with no comments, checked against the text reading: a page whose text shows
    comments is read as text when the format was detected, and refused when ``html`` was asked for,
    rather than stored as a page without comments."""
    try:
        as_text = text_page.parse(data, source, encoding=encoding)
    except ThreadwiseError:
        return thread
    if len(as_text.comments) < 2:
        return thread
    if detected:
        return as_text
    raise CommentsNotFound(f"the HTML reader found no comments, yet the text shows {len(as_text.comments)}",
                           source=source, fix="ingest it with --format text (format \"text\" over the API)")


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
    return "html" if _markup_dominates(data[:65536]) else "text"


def _markup_dominates(sample: bytes) -> bool:
    """A page without an HTML start is HTML when markup is spread through it, not when one comment of a
    text dump quotes a link: tags must come at least every other non-blank line."""
    tags = len(_TAG.findall(sample))
    lines = sum(1 for line in sample.splitlines() if line.strip())
    return tags > 0 and tags * 2 >= lines


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

"""Extraction quality of the HTML reader on real pages, beside trafilatura's own figures.

Two benchmarks (public datasets, see ``threadwise data``):

* ``zyte_benchmark``: article-body extraction, scored like scrapinghub/article-extraction-benchmark
  (4-token shingles counted as multisets; per-page precision and recall averaged, F1 of the averages).
* ``comments_benchmark``: trafilatura's evaluation pages that have reader comments, scored by the
  annotated snippets: comment snippets found in our comments, ``without`` snippets wrongly kept in
  the article body, ``with`` snippets found in the body.

Run ``python -m threadwise.extraction_eval`` to print both.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import trafilatura

from threadwise.errors import ThreadwiseError
from threadwise.ingest.decode import decode_text
from threadwise.ingest.html_comments import paragraphs
from threadwise.ingest.html_page import parse_tree, read_page
from threadwise.model import Thread

ZYTE = "article_extraction_benchmark_zyte"
COMMENT_PAGES = "trafilatura_eval_pages_with_comments"
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def data_dir() -> Path:
    """``THREADWISE_EVAL_DATA`` if set, else the public datasets' folder (``THREADWISE_SHARED_DATA``)."""
    from threadwise.locations import datasets_dir

    configured = os.environ.get("THREADWISE_EVAL_DATA")
    return Path(configured) if configured else datasets_dir()


# --- shingle metric (article-extraction-benchmark) ------------------------------------------------


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_counts(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum 1 so that long pages do not weigh more."""
    expected, predicted = _shingles(true), _shingles(pred)
    tp = sum((expected & predicted).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def shingle_scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Precision averaged over pages with a prediction, recall over pages with a truth (as upstream)."""

    def ratio(hit: float, miss: float, other_miss: float) -> float:
        if miss == other_miss == 0:
            return 1.0
        return 0.0 if hit == miss == 0 else hit / (hit + miss)

    precision = _mean([ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0])
    recall = _mean([ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else 0.0


# --- benchmark a: article bodies ------------------------------------------------------------------


def zyte_benchmark(root: Path | None = None, limit: int | None = None) -> dict[str, Any]:
    """F1 of our article body vs trafilatura.extract (defaults, and without comments)."""
    folder = (root or data_dir()) / ZYTE
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    systems: dict[str, Callable[[bytes, str], str]] = {
        "threadwise": _our_body,
        "trafilatura_extract": lambda html, _url: trafilatura.extract(html) or "",
        "trafilatura_no_comments": lambda html, _url: trafilatura.extract(html, include_comments=False) or "",
    }
    counts: dict[str, list[tuple[float, float, float]]] = {name: [] for name in systems}
    started = time.perf_counter()
    for page_id, entry in list(truth.items())[:limit]:
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        for name, extract in systems.items():
            counts[name].append(shingle_counts(entry.get("articleBody", ""), extract(html, entry["url"])))
    result: dict[str, Any] = {name: shingle_scores(c) for name, c in counts.items()}
    result["pages"] = len(counts["threadwise"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _our_body(html: bytes, url: str) -> str:
    try:
        thread, _ = read_page(html, url)
    except ThreadwiseError:
        return ""
    return thread.article.text


# --- benchmark b: comment sections ----------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def _pages(folder: Path, limit: int | None) -> Iterator[tuple[str, dict[str, Any], bytes]]:
    entries = json.loads((folder / "evaldata_comments_subset.json").read_text(encoding="utf-8"))
    for url, entry in list(entries.items())[:limit]:
        yield url, entry, gzip.decompress((folder / "html" / f"{entry['file']}.gz").read_bytes())


def comments_benchmark(root: Path | None = None, limit: int | None = None) -> dict[str, Any]:
    """Snippet scores for our reader and for trafilatura (include_comments=True) on the same pages."""
    folder = (root or data_dir()) / COMMENT_PAGES
    tally: Counter[str] = Counter()
    adapters: Counter[str] = Counter()
    started = time.perf_counter()
    for url, entry, html in _pages(folder, limit):
        tally["pages"] += 1
        thread, adapter = _read_or_empty(html, url)
        adapters[adapter] += 1
        tally["comments"] += len(thread.comments)
        _score_ours(tally, entry, thread)
        _score_trafilatura(tally, entry, html)
        _score_reachable(tally, entry, html)
    return _comment_figures(tally, adapters, time.perf_counter() - started)


def _read_or_empty(html: bytes, url: str) -> tuple[Thread | Any, str]:
    try:
        return read_page(html, url)
    except ThreadwiseError as error:
        return _Empty(), f"error {error.code}"


class _Empty:
    """Stands in for a thread when a page could not be read: no body, no comments."""

    comments: tuple[Any, ...] = ()

    class article:  # mirrors Thread.article
        text = ""


def _count(tally: Counter[str], name: str, snippets: list[str], haystack: str) -> None:
    tally[f"{name}_total"] += len(snippets)
    tally[f"{name}_hits"] += sum(_norm(s) in haystack for s in snippets)


def _score_ours(tally: Counter[str], entry: dict[str, Any], thread: Any) -> None:
    texts = [_norm(c.text) for c in thread.comments]
    body = _norm(thread.article.text)
    _count(tally, "ours_comments", entry["comments"], "\n".join(texts))
    tally["ours_comments_single_hits"] += sum(any(_norm(s) in t for t in texts) for s in entry["comments"])
    _count(tally, "ours_without_in_body", entry["without"], body)
    _count(tally, "ours_with", entry["with"], body)


def _score_trafilatura(tally: Counter[str], entry: dict[str, Any], html: bytes) -> None:
    both = trafilatura.bare_extraction(html, include_comments=True)
    body_only = trafilatura.extract(html, include_comments=False) or ""
    comments = _norm(getattr(both, "comments", None) or "")
    _count(tally, "traf_comments", entry["comments"], comments)
    _count(tally, "traf_without_in_body", entry["without"], _norm(body_only))
    _count(tally, "traf_with", entry["with"], _norm(body_only))


def _score_reachable(tally: Counter[str], entry: dict[str, Any], html: bytes) -> None:
    """How many comment snippets are in the served HTML at all (many sections load by script)."""
    try:
        root = parse_tree(decode_text(html, "page"), "page")
    except ThreadwiseError:
        visible = ""
    else:
        visible = _norm(" ".join(paragraphs(root, lambda el: False)))
    _count(tally, "reachable", entry["comments"], visible)


def _comment_figures(tally: Counter[str], adapters: Counter[str], seconds: float) -> dict[str, Any]:
    def rate(name: str) -> float:
        return _share(tally[f"{name}_hits"], tally[f"{name}_total"])

    return {
        "pages": tally["pages"],
        "comments_found": tally["comments"],
        "comment_snippets": tally["ours_comments_total"],
        "threadwise": {
            "comment_snippet_recall": rate("ours_comments"),
            "comment_snippet_recall_single_comment": _share(
                tally["ours_comments_single_hits"], tally["ours_comments_total"]
            ),
            "without_in_body_rate": rate("ours_without_in_body"),
            "with_recall_body": rate("ours_with"),
        },
        "trafilatura": {
            "comment_snippet_recall": rate("traf_comments"),
            "without_in_body_rate": rate("traf_without_in_body"),
            "with_recall_body": rate("traf_with"),
        },
        "snippets_in_served_html": rate("reachable"),
        "adapters": dict(adapters.most_common()),
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Print both benchmarks as JSON; an optional argument limits the pages per benchmark."""
    args = sys.argv[1:] if argv is None else argv
    limit = int(args[0]) if args else None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs every discarded page
    print(json.dumps({"zyte": zyte_benchmark(limit=limit)}, indent=2))
    print(json.dumps({"comments": comments_benchmark(limit=limit)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

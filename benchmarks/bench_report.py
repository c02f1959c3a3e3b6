"""Report generation time for a 5,000-comment thread (issue 5's benchmark).

Thread: the bundled example's article with N Civil Comments texts of 10 to 120 words from
the public datasets, docs/DATA.md (fixed order); every third comment replies to an earlier one (seeded), and comments
are spread over two days, so every chart has data. The thread is analysed once with the whole pipeline
(timed, for context; cached in --cache so a rerun skips it), then the report is timed:

- warm: right after the analysis, in the same process (comment and claim embeddings cached in memory);
- cold: as for a stored thread in a fresh process (the embedding cache emptied: topics and claim
  grouping must embed the comments and claims again);

each split into building the data model and rendering HTML and JSON, with the page's size.

    .venv/bin/python benchmarks/bench_report.py [--comments 5000] [--cache /tmp/bench_report.pkl] [--markdown]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import pickle
import platform
import random
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from threadwise.analysers.embed import shared_embedder
from threadwise.analysers.persuasion import analyse_article
from threadwise.model import Comment, Finding, Thread
from threadwise.report import ReportInputs, build_report, render_html, render_json
from threadwise.service import analyse_thread, read_source
from threadwise.train import shared_data_dir

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "op-ed-ceasefire.txt"


def corpus(n: int) -> list[str]:
    path = shared_data_dir() / "toxic_spans_civil_comments" / "full_annotations" / "comments.csv.gz"
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if 10 <= len(row["comment_text"].split()) <= 120:
                texts.append(row["comment_text"])
            if len(texts) == n:
                break
    return texts


def big_thread(n: int) -> Thread:
    article = read_source(str(EXAMPLE)).article
    rng = random.Random(5)
    start = datetime(2026, 11, 30, 8, tzinfo=UTC)
    comments = []
    for i, text in enumerate(corpus(n)):
        parent = comments[rng.randrange(i)].id if i and i % 3 == 0 else None
        comments.append(Comment(id=f"b{i}", thread_id=article.id, text=text, position=i, parent_id=parent,
                                number=str(i + 1), created_at=start + timedelta(seconds=i * 172_800 // n)))
    return Thread(article, tuple(comments))


def analysed(n: int, cache: Path) -> tuple[Thread, list[Finding], float]:
    if cache.is_file():
        thread, findings, seconds = pickle.loads(cache.read_bytes())
        if len(thread.comments) == n:
            return thread, findings, seconds
    thread = big_thread(n)
    t0 = time.perf_counter()
    findings = analyse_thread(thread).findings
    seconds = time.perf_counter() - t0
    cache.write_bytes(pickle.dumps((thread, findings, seconds)))
    return thread, findings, seconds


def warm_cache(thread: Thread, findings: list[Finding]) -> None:
    """Embed what the analysers embedded (comments, claim sentences), as right after the analysis."""
    claims = [f for f in findings if f.analyser == "claims"]
    texts = [thread.get_comment(f.comment_id).text[f.spans[0].start:f.spans[0].end] for f in claims]
    shared_embedder().encode([c.text for c in thread.comments] + texts)


def timed_report(inputs: ReportInputs) -> dict[str, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    report = build_report(inputs)
    t1 = time.perf_counter()
    page = render_html(report)
    t2 = time.perf_counter()
    render_json(report)
    t3 = time.perf_counter()
    return {"build": t1 - t0, "html": t2 - t1, "json": t3 - t2, "total": t3 - t0, "cpu": time.process_time() - c0,
            "mb": len(page.encode()) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench_report.pkl"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    thread, findings, analysis_seconds = analysed(args.comments, args.cache)
    article_findings = analyse_article(thread.article)
    inputs = ReportInputs(thread, findings, article_findings, None, "benchmark")
    warm_cache(thread, findings)
    warm = timed_report(inputs)
    shared_embedder()._cache.clear()  # as a fresh process reporting on a stored thread
    cold = timed_report(inputs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    claims = sum(1 for f in findings if f.analyser == "claims")
    load = os.getloadavg()[0]
    print(f"{args.comments} comments, {len(findings)} findings ({claims} claims); analysis {analysis_seconds:.0f} s; "
          f"{platform.machine()}, {os.cpu_count()} CPUs (load {load:.1f}), Python {platform.python_version()}, "
          f"{date.today()}; peak RSS {rss:.0f} MB")
    rows = [("warm (same process as the analysis)", warm), ("cold (stored thread, fresh embedding cache)", cold)]
    if args.markdown:
        print("| report | build (s) | HTML (s) | JSON (s) | total (s) | CPU (s) | page (MB) |")
        print("|---|---|---|---|---|---|---|")
    for name, t in rows:
        if args.markdown:
            print(f"| {name} | {t['build']:.1f} | {t['html']:.1f} | {t['json']:.1f} | **{t['total']:.1f}** "
                  f"| {t['cpu']:.1f} | {t['mb']:.1f} |")
        else:
            print(f"{name}: build {t['build']:.1f} s, HTML {t['html']:.1f} s, JSON {t['json']:.1f} s, "
                  f"total {t['total']:.1f} s (CPU {t['cpu']:.1f} s), page {t['mb']:.1f} MB")


if __name__ == "__main__":
    main()

"""Pipeline speed and memory on comment-length texts (issue 3's benchmark).

Corpus: the first N comments of 60-100 words from the Civil Comments toxic-spans set in the public datasets,
docs/DATA.md (news-site reader comments), fixed order. Reports start-up time (import + model load), comments/s for
the whole pipeline and for each analyser alone (excluding the shared embedding, which is timed separately), the peak
RSS of the process after the whole pipeline (one pipeline's), and the bare int8 MiniLM encoder on the same comments
in the same run (the reference the whole pipeline is compared with).

    .venv/bin/python benchmarks/bench_pipeline.py [--comments 512] [--markdown]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import platform
import resource
import time
from datetime import date

T0 = time.perf_counter()

from threadwise.analysers.base import CommentContext  # noqa: E402
from threadwise.analysers.checks import SAMPLE_ARTICLE  # noqa: E402
from threadwise.model import Comment  # noqa: E402
from threadwise.pipeline import Pipeline  # noqa: E402
from threadwise.train import shared_data_dir  # noqa: E402

WARM_UP = 16  # comments after the timed ones, read first so that no session is loaded inside the timing


def corpus(n: int) -> list[str]:
    path = shared_data_dir() / "toxic_spans_civil_comments" / "full_annotations" / "comments.csv.gz"
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            words = len(row["comment_text"].split())
            if 60 <= words <= 100:
                texts.append(row["comment_text"])
            if len(texts) == n:
                break
    return texts


def contexts(texts: list[str]) -> list[CommentContext]:
    return [
        CommentContext(Comment(id=f"b{i}", thread_id=SAMPLE_ARTICLE.id, text=t, position=i), article=SAMPLE_ARTICLE)
        for i, t in enumerate(texts)
    ]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=512)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    texts = corpus(args.comments + WARM_UP)
    texts, warm_up = texts[: args.comments], texts[args.comments :]
    pipeline = Pipeline.from_names().setup()
    assert pipeline.embedder is not None
    pipeline.embedder.setup()
    pipeline.embedder.encode(["warm-up", "a second warm-up text"])  # a batch, as a batch job's first call
    startup = time.perf_counter() - T0

    # The whole pipeline first, so that the peak RSS is one pipeline's: warmed on other comments (every session
    # loaded), then timed on comments none of its caches has seen.
    pipeline.run(contexts(warm_up))
    start = time.perf_counter()
    pipeline.run(contexts(texts))
    total = rate(len(texts), time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Each stage alone, on a second pipeline (fresh analysers; its sessions add to the process's memory, not
    # counted). The shared embedder's cache is emptied first: analysers that embed sentences themselves (claims)
    # read it, so a warm cache would time them without their encoder work (figures before 2026-12-04 did).
    pipeline.embedder.clear()
    stages = Pipeline.from_names().setup()
    assert stages.embedder is not None
    start = time.perf_counter()
    vectors, states = stages.embedder.encode_with_states(texts)  # the pipeline's pass: vectors and token states
    embed_s = time.perf_counter() - start
    batch = [
        CommentContext(c.comment, c.article, embedding=v, token_states=s)
        for c, v, s in zip(contexts(texts), vectors, states, strict=True)
    ]
    rows = [(f"embedding (shared; runtime {stages.embedder.runtime_name})", rate(len(texts), embed_s))]
    findings_by_id: dict[str, list] = {}
    for analyser in stages.analysers:
        fed = [CommentContext(c.comment, c.article, findings=tuple(findings_by_id.get(c.comment.id, ())),
                              embedding=c.embedding, token_states=c.token_states) for c in batch]
        start = time.perf_counter()
        produced = list(analyser.analyse(fed))
        rows.append((analyser.name, rate(len(texts), time.perf_counter() - start)))
        for item in produced:
            findings_by_id.setdefault(item.comment_id, []).append(item)

    rows.append(("bare int8 MiniLM encoder, one pass (reference, same run)", bare_encoder_rate(texts)))
    report(args, rows, total, startup, peak_mb, len(texts))


def bare_encoder_rate(texts: list[str]) -> float:
    """What one int8 encoder pass over the same comments costs now: the yardstick for the whole pipeline."""
    from threadwise.train.toxicity_eval import BareEncoder

    encoder = BareEncoder()
    encoder.read(texts[:16])  # warm-up
    start = time.perf_counter()
    encoder.read(texts)
    return rate(len(texts), time.perf_counter() - start)


def report(args: argparse.Namespace, rows: list[tuple[str, float]], total: float, startup: float,
           peak_mb: float, n: int) -> None:
    print(f"# pipeline benchmark — {date.today()} — {platform.machine()}, {platform.python_version()}, n={n}")
    print("| stage | comments/s |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} |")
    print(f"| **whole pipeline (embedding included)** | **{total:,.1f}** |")
    bare = dict(rows)["bare int8 MiniLM encoder, one pass (reference, same run)"]
    print(f"\nwhole pipeline / bare int8 encoder: {total / bare:.2f} (issue 10's goal: ≥ 0.8)")
    print(f"\nstart-up (import + load every model): {startup:.1f} s; peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

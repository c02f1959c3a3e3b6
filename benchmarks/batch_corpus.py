"""Synthetic corpus for the batch benchmark: N comments in threads of 100, with an articles file.

Comment texts are real news-site reader comments (the Civil Comments toxic-spans set, docs/DATA.md,
cycled in a fixed order, each numbered so no two rows are equal); every fourth comment replies to an
earlier one of its thread; one thread in 50 has no article (the batch run reports it). Written as a
stream, so a 1M-comment corpus needs no more memory than a 10k one.

    .venv/bin/python benchmarks/batch_corpus.py 100000 var/bench/c100k.jsonl
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

from threadwise.train import shared_data_dir

THREAD_SIZE = 100


def source_texts(limit: int = 5000) -> list[str]:
    path = shared_data_dir() / "toxic_spans_civil_comments" / "full_annotations" / "comments.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        texts = [row["comment_text"] for row in csv.DictReader(handle) if row["comment_text"].strip()]
    return texts[:limit]


def iter_comments(n: int, texts: list[str], seed: int = 0) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    for i in range(n):
        thread, position = divmod(i, THREAD_SIZE)
        parent = rng.randrange(position) if position and rng.random() < 0.25 else None
        yield {"id": f"c{position}", "thread_id": f"t{thread}", "text": f"{texts[i % len(texts)]} (#{i})",
               "parent_id": None if parent is None else f"c{parent}", "author": f"reader{rng.randrange(5000)}"}


def iter_articles(n: int, texts: list[str]) -> Iterator[dict[str, object]]:
    for thread in range(-(-n // THREAD_SIZE)):
        if thread % 50 == 49:
            continue  # a thread without article, as real corpora have
        paragraphs = [texts[(thread * 7 + k) % len(texts)] for k in range(6)]
        yield {"id": f"t{thread}", "title": f"Article {thread}", "paragraphs": paragraphs}


def write_corpus(n: int, out: Path) -> tuple[Path, Path]:
    """``out`` (comments JSONL) and ``<stem>.articles.jsonl`` beside it."""
    texts = source_texts()
    out.parent.mkdir(parents=True, exist_ok=True)
    articles = out.with_name(f"{out.stem}.articles.jsonl")
    with open(out, "w", encoding="utf-8") as handle:
        for row in iter_comments(n, texts):
            handle.write(json.dumps(row) + "\n")
    with open(articles, "w", encoding="utf-8") as handle:
        for row in iter_articles(n, texts):
            handle.write(json.dumps(row) + "\n")
    return out, articles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("comments", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(*write_corpus(args.comments, args.out))


if __name__ == "__main__":
    main()

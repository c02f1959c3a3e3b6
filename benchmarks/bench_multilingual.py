"""Mixed-language toxicity throughput: the routed analyser (language id → English model or multilingual heads).

    .venv/bin/python benchmarks/bench_multilingual.py [--per-set 100] [--english 200]

Comments: ``--per-set`` held-out rows from each staged non-English test split and ``--english`` from the
English Wikipedia test split (fixed by text hash), shuffled with a fixed seed; nothing is cached between
runs (a fresh process embeds every text). Measured in the same run, alternating: the routed analyser in
batches of 64, the English model alone on the same comments (the reference: what the route costs over
reading everything as English), and the routed analyser one comment per call. Issue 14's goal: ≥ 100 comments/s
in batches, 2 cores.
"""

from __future__ import annotations

import argparse
import random
import time

from threadwise.analysers.base import CommentContext
from threadwise.analysers.language_routing import LanguageRoutedToxicity
from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.model import Comment
from threadwise.train import SEED, shared_data_dir
from threadwise.train.multilingual_data import DATASETS, cap, held_out_rows

BATCH = 64


def comments(per_set: int, english: int) -> list[CommentContext]:
    data = shared_data_dir()
    texts = [r.text for d in DATASETS if d.language != "en" for r in cap(held_out_rows(data, d), per_set)]
    texts += [r.text for d in DATASETS if d.name == "english_civil_wikipedia"
              for r in cap(held_out_rows(data, d), english)]
    random.Random(SEED).shuffle(texts)
    return [CommentContext(Comment(id=f"c{i}", thread_id="bench", text=t, position=i)) for i, t in enumerate(texts)]


def rate(analyser: object, batch: list[CommentContext], size: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(batch), size):
        list(analyser.analyse(batch[i : i + size]))  # type: ignore[attr-defined]
    return len(batch) / (time.perf_counter() - start)


def main(per_set: int, english: int) -> None:
    batch = comments(per_set, english)
    routed = LanguageRoutedToxicity(ToxicityAnalyser()).setup()
    alone = ToxicityAnalyser().setup()
    half = len(batch) // 2
    routed_rates, english_rates = [], []
    for part in (batch[:half], batch[half:]):  # two rounds, alternating, over distinct comments (no cache hits)
        routed_rates.append(rate(routed, part, BATCH))
        english_rates.append(rate(alone, part, BATCH))
    single = rate(routed, batch[:200], 1)
    print(f"{len(batch)} comments ({per_set} per non-English test split, {english} English), "
          f"multilingual heads {routed.multilingual.version} ({'+'.join(routed.multilingual.kinds)})")
    print(f"routed, batches of {BATCH}: {' / '.join(f'{r:.1f}' for r in routed_rates)} comments/s")
    print(f"English model alone, same comments: {' / '.join(f'{r:.1f}' for r in english_rates)} comments/s")
    print(f"routed, one comment per call (200): {single:.1f} comments/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-set", type=int, default=100)
    parser.add_argument("--english", type=int, default=200)
    args = parser.parse_args()
    main(args.per_set, args.english)

"""Encoder runtimes side by side: ONNX Runtime on the int8 graph (the default: one text per run, one worker per
core), ONNX Runtime in fp32 and sentence-transformers (torch), these two at two batch sizes.

    .venv/bin/python benchmarks/bench_embedder.py [--comments 256]

Same corpus as bench_pipeline (Civil Comments of 60-100 words); each runtime warmed up first.
"""

from __future__ import annotations

import argparse
import os
import time

from bench_pipeline import corpus

from threadwise.analysers.embed import Embedder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=256)
    args = parser.parse_args()
    texts = corpus(args.comments)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| runtime | batch | comments/s |\n|---|---|---|")
    for runtime, sizes in (("onnx", (1,)), ("onnx-fp32", (8, 32)), ("torch", (8, 32))):
        for batch_size in sizes:
            embedder = Embedder(runtime=runtime, batch_size=batch_size).setup()
            embedder.encode(["warm up"])
            start = time.perf_counter()
            embedder.encode(texts)
            print(f"| {runtime} | {batch_size} | {len(texts) / (time.perf_counter() - start):.0f} |")


if __name__ == "__main__":
    main()

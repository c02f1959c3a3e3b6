"""The conduct model beside the bare int8 MiniLM encoder it is built on, measured in the same run.

    .venv/bin/python benchmarks/bench_conduct.py [--comments 256] [--requests 200]

- bare int8 MiniLM: the packaged all-MiniLM-L6-v2 exported to ONNX and dynamically quantised to int8 on the spot
  (the reference: what one encoder pass costs on this machine right now);
- conduct model: the shipped artefact (heads/conduct/model.onnx): every conduct head and the word-piece head
  from that one pass, batches of 8 by length;
- pre-moderation one at a time: toxicity + quotes analysers and the default policy for one new comment.
The two throughput rows alternate over three rounds so that load from other jobs falls on both alike; the
figures are the code of ``threadwise eval toxicity`` (``train/toxicity_eval.throughput``).
"""

from __future__ import annotations

import argparse
import os
import platform

from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.train.toxicity_eval import throughput


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=256)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    figures = throughput(ToxicityAnalyser().setup(), args.comments, args.requests)
    print(f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{args.comments} comments of 60-100 words")
    print("| what | figure |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    ratio = figures["throughput_comments_per_s"] / figures["bare_int8_encoder_comments_per_s"]
    print(f"| conduct model / bare encoder | {ratio:.2f} |")


if __name__ == "__main__":
    main()

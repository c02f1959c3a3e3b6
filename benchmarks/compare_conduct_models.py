"""Two conduct artefacts side by side on the development split: the rule that picks a model to ship.

    .venv/bin/python benchmarks/compare_conduct_models.py CANDIDATE_FOLDER [SHIPPED_FOLDER]

A folder holds model.onnx, tokenizer.json and meta.json (a `threadwise train toxicity` run leaves its candidate
in the cache's `conduct-train/artefact`; give it the shipped meta.json). Both read the same dev rows (carved
from the training data, never an evaluation set); prints each task's ROC-AUC on every dev row and on the rows
of real sources (no synthetic template), and whether the candidate is at least the shipped model on every task.
"""

from __future__ import annotations

import sys
from pathlib import Path

from threadwise.analysers.conduct import TASKS, ConductModel
from threadwise.analysers.heads import heads_dir
from threadwise.train import shared_data_dir
from threadwise.train.conduct_data import build
from threadwise.train.toxicity import calibrate


def main(candidate: Path, shipped: Path) -> None:
    _, dev = build(shared_data_dir())
    subsets = {"all": dev, "real sources": [r for r in dev if not r.source.startswith("synthetic")]}
    models = {"shipped": ConductModel(shipped), "candidate": ConductModel(candidate)}
    print("| dev rows | model | " + " | ".join(TASKS) + " | mean |")
    at_least = True
    for subset, rows in subsets.items():
        figures = {name: calibrate(model, rows)["dev"] for name, model in models.items()}
        aucs = {name: {t: f[t]["auc"] for t in TASKS} for name, f in figures.items()}
        for name, row in aucs.items():
            mean = sum(row.values()) / len(row)
            print(f"| {subset} {len(rows):,} | {name} | " + " | ".join(f"{a:.4f}" for a in row.values())
                  + f" | {mean:.4f} |")
        at_least &= all(aucs["candidate"][t] >= aucs["shipped"][t] for t in aucs["shipped"])
    print(f"candidate at least the shipped model on every task and subset: {at_least}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else heads_dir() / "conduct")

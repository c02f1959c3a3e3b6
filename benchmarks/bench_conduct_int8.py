"""The shipped int8 conduct graph beside the fp32 graph it was quantised from, on the development split.

    .venv/bin/python benchmarks/bench_conduct_int8.py

Needs the fp32 export a `threadwise train toxicity` run leaves in its cache folder (`artefact/model.fp32.onnx`,
86 MB, not shipped). Both graphs read the same dev rows (carved from the training data) in alternating rounds;
prints each task's dev ROC-AUC and rows/s for both.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from threadwise.analysers.conduct import ConductModel
from threadwise.analysers.heads import heads_dir
from threadwise.locations import cache_dir
from threadwise.train import shared_data_dir
from threadwise.train.conduct_data import build
from threadwise.train.toxicity import calibrate


def main() -> None:
    fp32 = cache_dir() / "conduct-train" / "artefact" / "model.fp32.onnx"
    if not fp32.is_file():
        raise SystemExit(f"no fp32 graph at {fp32}: run `threadwise train toxicity` first")
    shipped = heads_dir() / "conduct"
    _, dev = build(shared_data_dir())
    texts = [r.text for r in dev]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("meta.json", "tokenizer.json"):
            shutil.copyfile(shipped / name, folder / name)
        shutil.copyfile(fp32, folder / "model.onnx")
        models = {"int8": ConductModel(shipped).setup(), "fp32": ConductModel(folder).setup()}
        seconds = dict.fromkeys(models, 0.0)
        for _ in range(2):  # alternate, so load from other jobs falls on both alike
            for name, model in models.items():
                start = time.perf_counter()
                model.read(texts)
                seconds[name] += time.perf_counter() - start
        dev_figures = {name: calibrate(model, dev)["dev"] for name, model in models.items()}
    print(f"{len(dev)} dev rows")
    print("| task | int8 ROC-AUC | fp32 ROC-AUC |\n|---|---|---|")
    for task in dev_figures["int8"]:
        print(f"| {task} | {dev_figures['int8'][task]['auc']:.4f} | {dev_figures['fp32'][task]['auc']:.4f} |")
    print("| rows/s | " + " | ".join(f"{2 * len(texts) / seconds[n]:.1f}" for n in models) + " |")


if __name__ == "__main__":
    main()

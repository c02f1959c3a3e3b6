"""The shipped int8 conduct graph beside the fp32 graph it was quantised from, on the development split.

    .venv/bin/python benchmarks/bench_conduct_int8.py [--reduce-range]

Needs the fp32 export a `threadwise train toxicity` run leaves in its cache folder (`artefact/model.fp32.onnx`,
86 MB, not shipped), and compares it with the int8 graph of that same run (`artefact/model.onnx`). Both read the
same dev rows (carved from the training data) in alternating rounds; prints each task's dev ROC-AUC and rows/s
for both, and how far each row's int8 scores lie from fp32's (the kernels, and so the distance, differ by CPU).
``--reduce-range`` adds the fp32 graph quantised with 7-bit weights, ONNX Runtime's advice for AVX2 CPUs.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from threadwise.analysers.conduct import TASKS, ConductModel
from threadwise.analysers.heads import heads_dir
from threadwise.locations import cache_dir
from threadwise.train import shared_data_dir
from threadwise.train.conduct_data import build
from threadwise.train.toxicity import calibrate


def main(reduce_range: bool) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    artefact = cache_dir() / "conduct-train" / "artefact"
    fp32 = artefact / "model.fp32.onnx"
    if not fp32.is_file():
        raise SystemExit(f"no fp32 graph at {fp32}: run `threadwise train toxicity` first")
    _, dev = build(shared_data_dir())
    texts = [r.text for r in dev]
    with tempfile.TemporaryDirectory() as tmp:
        graphs = {"int8": artefact / "model.onnx", "fp32": fp32}
        if reduce_range:
            graphs["int8 reduce_range"] = Path(tmp) / "reduce_range.onnx"
            quantize_dynamic(str(fp32), str(graphs["int8 reduce_range"]), weight_type=QuantType.QInt8,
                             per_channel=True, reduce_range=True)
        models = {}
        for name, graph in graphs.items():
            folder = Path(tmp) / name.replace(" ", "_")
            folder.mkdir()
            for meta in ("meta.json", "tokenizer.json"):
                shutil.copyfile(heads_dir() / "conduct" / meta, folder / meta)
            shutil.copyfile(graph, folder / "model.onnx")
            models[name] = ConductModel(folder).setup()
        seconds, scores = dict.fromkeys(models, 0.0), {}
        for _ in range(2):  # alternate, so load from other jobs falls on all alike
            for name, model in models.items():
                start = time.perf_counter()
                readings = model.read(texts)
                seconds[name] += time.perf_counter() - start
                scores[name] = np.array([[r.scores[t] for t in TASKS] for r in readings])
        dev_figures = {name: calibrate(model, dev)["dev"] for name, model in models.items()}
    print(f"{len(dev)} dev rows")
    print("| task | " + " | ".join(f"{n} ROC-AUC" for n in models) + " |\n|---|" + "---|" * len(models))
    for task in TASKS:
        print(f"| {task} | " + " | ".join(f"{dev_figures[n][task]['auc']:.4f}" for n in models) + " |")
    print("| rows/s | " + " | ".join(f"{2 * len(texts) / seconds[n]:.1f}" for n in models) + " |")
    for name in (n for n in models if n != "fp32"):
        gap = np.abs(scores[name] - scores["fp32"])
        print(f"{name} vs fp32, per row and task: mean |Δ| {gap.mean():.4f}, 99th percentile "
              f"{np.quantile(gap, 0.99):.4f}, largest {gap.max():.4f}; rows with a task moved > 0.1: "
              f"{(gap.max(axis=1) > 0.1).mean():.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reduce-range", action="store_true", help="also the fp32 graph with 7-bit weights")
    main(parser.parse_args().reduce_range)

"""Can the conduct model's own pass also give the sentence vectors that similarity needs (issue 10, item 1)?

Compares, on two similarity tasks, the packaged all-MiniLM-L6-v2 vectors (what quotes' neighbours, claim links and
topic clusters use; fp32, and the int8 graph the embedder runs by default) with mean-pooled hidden states of the
conduct model's int8 graph: its last layer, and its second layer (the bottom two layers are frozen in
fine-tuning, so that layer is the packaged model's own).
- ParaDetox: a toxic sentence must find its crowd-written neutral paraphrase among 1,000 (recall@1), on pairs the
  conduct model was not trained on.
- FNC-1: the headline's best cosine with its body's sentences must tell related from unrelated pairs (ROC-AUC).

    .venv/bin/python benchmarks/shared_pass_similarity.py
"""

from __future__ import annotations

import csv
import gzip
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from sklearn.metrics import roc_auc_score
from tokenizers import Tokenizer

from threadwise.analysers.embed import Embedder
from threadwise.analysers.heads import heads_dir
from threadwise.locations import datasets_dir
from threadwise.train.toxicity_data import paradetox

LAYERS = {"conduct, last layer": 5, "conduct, layer 2 (frozen)": 1}


def conduct_encoder(layer: int, folder: Path):  # type: ignore[no-untyped-def]
    """A copy of the conduct graph that also returns one layer's hidden states."""
    model = onnx.load(str(heads_dir() / "conduct" / "model.onnx"))
    name = f"/encoder/encoder/layer.{layer}/output/LayerNorm/LayerNormalization_output_0"
    model.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", "tokens", 384]))
    path = folder / f"conduct-layer{layer}.onnx"
    onnx.save(model, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(heads_dir() / "conduct" / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)

    def encode(texts: list[str]) -> np.ndarray:
        out = []
        for text in texts:
            ids = np.array([tokenizer.encode(text).ids])
            hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[-1][0].mean(0)
            out.append(hidden / np.linalg.norm(hidden))
        return np.array(out)

    return encode


def main() -> None:
    data = datasets_dir()
    with gzip.open(data / "paradetox_toxic_neutral_pairs" / "paradetox.tsv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    trained = {e.text for e in paradetox(data, pairs=5500, cannot=2000)}  # what the conduct model was fitted on
    rows = [r for r in rows if r[0] not in trained and r[1] not in trained]
    random.Random(0).shuffle(rows)
    toxic, neutral = [r[0] for r in rows[:1000]], [r[1] for r in rows[:1000]]
    fnc = data / "fnc1_headline_body_stance"
    with gzip.open(fnc / "competition_test_bodies.csv.gz", "rt", encoding="utf-8") as handle:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(handle)}
    with gzip.open(fnc / "competition_test_stances.csv.gz", "rt", encoding="utf-8") as handle:
        stances = list(csv.DictReader(handle))
    random.Random(1).shuffle(stances)
    stances = stances[:600]

    def sentences(body: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s) > 20][:30]

    with tempfile.TemporaryDirectory() as tmp:
        encoders = {"all-MiniLM-L6-v2 (packaged), fp32": Embedder(runtime="onnx-fp32").encode,
                    "all-MiniLM-L6-v2 (packaged), int8 (the default since 2026-12-03)": Embedder(runtime="onnx").encode,
                    **{name: conduct_encoder(layer, Path(tmp)) for name, layer in LAYERS.items()}}
        print("| vectors | ParaDetox recall@1 (1,000) | FNC-1 related vs unrelated ROC-AUC (600 pairs) | seconds |")
        print("|---|---|---|---|")
        for name, encode in encoders.items():
            start = time.time()
            a, b = encode(toxic), encode(neutral)
            recall = float(np.mean(np.argmax(a @ b.T, axis=1) == np.arange(len(a))))
            heads = encode([s["Headline"] for s in stances])
            cache: dict[str, np.ndarray] = {}
            best = []
            for stance, head in zip(stances, heads, strict=True):
                if stance["Body ID"] not in cache:
                    cache[stance["Body ID"]] = encode(sentences(bodies[stance["Body ID"]]))
                best.append(float((cache[stance["Body ID"]] @ head).max()))
            auc = roc_auc_score([s["Stance"] != "unrelated" for s in stances], best)
            print(f"| {name} | {recall:.3f} | {auc:.3f} | {time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()

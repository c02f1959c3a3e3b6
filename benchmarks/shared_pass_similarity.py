"""Can the conduct model's own pass also give the sentence vectors that similarity needs (issue 10, item 1)?

Compares, on two similarity tasks, the packaged all-MiniLM-L6-v2 vectors (what quotes' neighbours, claim links and
topic clusters use; fp32, and the int8 graph the embedder runs by default) with mean-pooled hidden states of the
conduct model's int8 graph: its last layer, and its second layer (the bottom two layers are frozen in
fine-tuning, so that layer is the packaged model's own).
- ParaDetox: a toxic sentence must find its crowd-written neutral paraphrase among 1,000 (recall@1), on pairs the
  conduct model was not trained on.
- FNC-1: the headline's best cosine with its body's sentences must tell related from unrelated pairs (ROC-AUC), on
  the bodies the stance model trains on (training data: a model may be chosen on these figures).

    .venv/bin/python benchmarks/shared_pass_similarity.py [--conduct CANDIDATE_FOLDER]
"""

from __future__ import annotations

import argparse
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

from threadwise.analysers.conduct import ConductModel
from threadwise.analysers.embed import Embedder
from threadwise.analysers.heads import heads_dir
from threadwise.locations import datasets_dir
from threadwise.train.stance_data import load_fnc1
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


def sentence_head(folder: Path):  # type: ignore[no-untyped-def]
    """The sentence vectors of a conduct artefact trained with the distillation head (its third output)."""
    model = ConductModel(folder)

    def encode(texts: list[str]) -> np.ndarray:
        return np.stack([r.vector for r in model.read(texts)])  # type: ignore[misc]

    return encode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conduct", type=Path, action="append", default=[],
                        help="a conduct artefact folder with a sentence head (repeatable)")
    args = parser.parse_args()
    data = datasets_dir()
    with gzip.open(data / "paradetox_toxic_neutral_pairs" / "paradetox.tsv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    trained = {e.text for e in paradetox(data, pairs=5500, cannot=2000)}  # what the conduct model was fitted on
    rows = [r for r in rows if r[0] not in trained and r[1] not in trained]
    random.Random(0).shuffle(rows)
    toxic, neutral = [r[0] for r in rows[:1000]], [r[1] for r in rows[:1000]]
    # FNC-1's headline/body pairs of the bodies the stance model trains on (every pair of them: unrelated included).
    pairs = [p for p in load_fnc1(data, unrelated_per_body=10**6) if p.split == "train"]
    random.Random(1).shuffle(pairs)
    pairs = pairs[:600]

    def sentences(body: tuple[str, ...]) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(body)) if len(s) > 20][:30]

    with tempfile.TemporaryDirectory() as tmp:
        encoders = {"all-MiniLM-L6-v2 (packaged), fp32": Embedder(runtime="onnx-fp32").encode,
                    "all-MiniLM-L6-v2 (packaged), int8": Embedder(runtime="onnx").encode,
                    **{f"conduct {ConductModel(f).version}, sentence head": sentence_head(f) for f in args.conduct},
                    **{name: conduct_encoder(layer, Path(tmp)) for name, layer in LAYERS.items()}}
        print("| vectors | ParaDetox recall@1 (1,000) | FNC-1 train bodies, related vs unrelated ROC-AUC (600 pairs) "
              "| seconds |")
        print("|---|---|---|---|")
        for name, encode in encoders.items():
            start = time.time()
            a, b = encode(toxic), encode(neutral)
            recall = float(np.mean(np.argmax(a @ b.T, axis=1) == np.arange(len(a))))
            heads = encode([p.text for p in pairs])
            cache: dict[str, np.ndarray] = {}
            best = []
            for pair, head in zip(pairs, heads, strict=True):
                if pair.group not in cache:
                    cache[pair.group] = encode(sentences(pair.target))
                best.append(float((cache[pair.group] @ head).max()))
            auc = roc_auc_score([p.fnc != "unrelated" for p in pairs], best)
            print(f"| {name} | {recall:.3f} | {auc:.3f} | {time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()

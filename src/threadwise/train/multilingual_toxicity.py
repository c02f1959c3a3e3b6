"""``threadwise train toxicity-multilingual``: logistic heads over char n-grams (shipped) or frozen e5 vectors.

Training reads only the ``train`` split of each set in ``multilingual_data.DATASETS`` (a fixed, capped
subsample per set) and calibrates on the ``dev`` split; Multilingual HateCheck and the test splits are
read only by ``evaluate``. For the ``e5`` heads every text is embedded once and cached in the cache folder (e5/)
(chunked, so an interrupted run resumes where it stopped): embedding is the slow part on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from threadwise.analysers import embed_multilingual
from threadwise.analysers.heads import save_head
from threadwise.analysers.multilingual_toxicity import HEAD, HEAD_LABELS, char_features, head_trained
from threadwise.locations import cache_dir
from threadwise.train import SEED
from threadwise.train.multilingual_data import DATASETS, Labelled, cap, training_rows

VERSION = "ml-1.0.0"
# Rows per set (train, dev). The char-n-gram heads read up to 4,000 training texts per set (41,329 in all;
# ~3 minutes on one niced core): against the first 1,000-per-set caps (11,800 texts) every head's dev
# log-loss and every language's dev macro-F1 improved, and against all 98,862 training texts (~6 minutes)
# the toxicity head gained 0.013 dev log-loss but identity_attack lost 0.049 (English and three large sets
# crowd out the rest). The e5 heads read 2,000: embedding ran at 1-3 texts/s on these 2 cores while a
# training job had priority (~84/s when idle). Raise E5_QUOTA on an idle machine.
QUOTA = {
    "germeval2018_offensive_de": (4000, 300), "germeval2021_toxic_comments_de": (4000, 300),
    "hateval2019_hate_es": (4000, 300), "offendes_offensive_es": (4000, 300), "mlma_hate_speech_fr": (4000, 300),
    "haspeede2018_hate_it": (4000, 300), "hatebr_offensive_pt": (3200, 300), "offcombr_offensive_pt": (2000, 150),
    "told_br_toxic_pt": (4000, 300), "ban_pl_harmful_pl": (4000, 300), "russian_distorted_toxicity_vk_ru": (4000, 300),
    "english_civil_wikipedia": (6000, 300),
}  # fmt: skip
E5_QUOTA = {name: (150, 40) if name != "english_civil_wikipedia" else (350, 40) for name in QUOTA}
HEADS = {"chars": HEAD, "e5": f"{HEAD}_e5"}
LANGUAGES = ("de", "es", "fr", "it", "nl", "pl", "pt", "ru")  # nl: no staged data, cross-lingual transfer only
C_GRID = {"chars": (2.0,), "e5": (0.5, 2.0, 8.0)}  # chars: one C, the CPU budget of a busy machine
CHUNK = 128
Features: TypeAlias = np.ndarray | sp.csr_matrix


def cached_vectors(name: str, texts: Sequence[str]) -> np.ndarray:
    """e5 vectors of ``texts``: each distinct text is embedded once, ever, and kept in <cache folder>/e5/<name>
    (chunk files of text hashes and vectors), so a grown or interrupted set embeds only what is new."""
    folder = cache_dir() / "e5" / name
    folder.mkdir(parents=True, exist_ok=True)
    known: dict[str, np.ndarray] = {}
    for path in sorted(folder.glob("*.npz")):
        with np.load(path, allow_pickle=False) as chunk:
            known.update(zip(chunk["keys"].tolist(), chunk["vectors"], strict=True))
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest()[:24] for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    for start in range(0, len(missing), CHUNK):
        part = missing[start : start + CHUNK]
        vectors = embed_multilingual.encode([t for _, t in part])
        np.savez(folder / f"{len(known):08d}.npz", keys=np.array([k for k, _ in part]), vectors=vectors)
        known.update(zip([k for k, _ in part], vectors, strict=True))
    if not texts:
        return np.zeros((0, embed_multilingual.DIM), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def load_split(data: Path, split: str, kind: str = "chars") -> list[Labelled]:
    rows: list[Labelled] = []
    quota = E5_QUOTA if kind == "e5" else QUOTA
    for dataset in DATASETS:
        n = quota[dataset.name][0 if split == "train" else 1]
        rows += cap(training_rows(data, dataset, split), n)
    return rows


def split_features(kind: str, name: str, texts: Sequence[str]) -> np.ndarray | sp.csr_matrix:
    """The features of a named set of texts: hashed on the fly, or e5 vectors from the cache."""
    return cached_vectors(name, texts) if kind == "e5" else char_features(texts)


def fit_heads(x: Features, rows: Sequence[Labelled], dev_x: Features, dev: Sequence[Labelled],
              grid: Sequence[float] = C_GRID["e5"]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """One logistic regression per label on the rows that annotate it; C picked and Platt fitted on dev."""
    coef, intercept, platt_a, platt_b, report = [], [], [], [], {}
    for label in HEAD_LABELS:
        mask = np.array([r.label(label) is not None for r in rows])
        y = np.array([r.label(label) or 0.0 for r in rows])[mask] >= 0.5
        dmask = np.array([r.label(label) is not None for r in dev])
        dy = np.array([r.label(label) or 0.0 for r in dev])[dmask] >= 0.5
        best = min((_fit(x[mask], y, c, dev_x[dmask], dy) for c in grid), key=lambda f: f[0])
        loss, model, c = best
        z = np.asarray(dev_x[dmask] @ model.coef_[0]).ravel() + model.intercept_[0]
        platt = LogisticRegression(C=1e4).fit(z[:, None], dy)
        coef.append(model.coef_[0])
        intercept.append(model.intercept_[0])
        platt_a.append(platt.coef_[0, 0])
        platt_b.append(platt.intercept_[0])
        report[label] = {"train_rows": int(mask.sum()), "positives": int(y.sum()), "dev_rows": int(dmask.sum()),
                         "C": c, "dev_log_loss": round(loss, 4)}
    arrays = {"coef": np.array(coef, dtype=np.float32), "intercept": np.array(intercept, dtype=np.float32),
              "platt_a": np.array(platt_a, dtype=np.float32), "platt_b": np.array(platt_b, dtype=np.float32)}
    return arrays, report


def _fit(x: Features, y: np.ndarray, c: float, dev_x: Features, dev_y: np.ndarray
         ) -> tuple[float, LogisticRegression, float]:
    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=SEED).fit(x, y)
    p = np.clip(model.predict_proba(dev_x)[:, 1], 1e-6, 1 - 1e-6)
    loss = float(-np.mean(dev_y * np.log(p) + (~dev_y) * np.log(1 - p)))
    return loss, model, c


def train(data: Path, kind: str = "chars") -> dict[str, Any]:
    """Fit, calibrate and save the heads (``chars`` or ``e5``) with their model card; returns dev figures."""
    rows, dev = load_split(data, "train", kind), load_split(data, "dev", kind)
    x = split_features(kind, "ml-train", [r.text for r in rows])
    dev_x = split_features(kind, "ml-dev", [r.text for r in dev])
    arrays, report = fit_heads(x, rows, dev_x, dev, C_GRID[kind])
    if kind == "chars":  # 5 x 196,608 weights: half precision keeps the artefact to a few MB
        arrays["coef"] = arrays["coef"].astype(np.float16)
    by_language: dict[str, int] = {}
    for r in rows:
        by_language[r.language] = by_language.get(r.language, 0) + 1
    meta = {"version": VERSION, "features": kind, "labels": list(HEAD_LABELS),
            "encoder": embed_multilingual.ENCODER if kind == "e5" else "hashed char 2-5-grams + word 1-2-grams",
            "languages": list(LANGUAGES), "span_gate": 0.5, "train_rows": len(rows), "dev_rows": len(dev),
            "rows_per_language": by_language, "rows_per_set": _per_set(rows), "heads": report,
            "seed": SEED, "data_digest": _digest(rows)}
    folder = save_head(HEADS[kind], arrays, meta)
    from threadwise.train.multilingual_card import write_card

    write_card(folder, meta)
    return {"features": kind, "train rows": len(rows), "dev rows": len(dev),
            **{f"{k} dev log-loss": v["dev_log_loss"] for k, v in report.items()}}


def _per_set(rows: Sequence[Labelled]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.source] = out.get(r.source, 0) + 1
    return out


def _digest(rows: Sequence[Labelled]) -> str:
    return hashlib.sha256(json.dumps([(r.text, r.toxicity) for r in rows]).encode("utf-8")).hexdigest()[:16]


def head_exists(kind: str = "chars") -> bool:
    return head_trained(HEADS[kind])


def evaluate(data: Path, fast: bool = False, language: str | None = None, kind: str = "chars") -> dict[str, Any]:
    """docs/EVAL.md's per-language figures (see ``multilingual_eval``)."""
    from threadwise.train.multilingual_eval import evaluate as run

    return run(data, fast=fast, language=language, kind=kind)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m threadwise.train.multilingual_toxicity e5 [--eval]``: the e5 experiment (or ``chars``)."""
    import sys

    from threadwise.train import shared_data_dir

    args = list(sys.argv[1:] if argv is None else argv)
    kind = args[0] if args else "chars"
    data = shared_data_dir()
    if "--eval" not in args:
        print(json.dumps(train(data, kind), indent=1))
    print(json.dumps(evaluate(data, kind=kind), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

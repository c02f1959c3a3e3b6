"""Train and evaluate the conduct model behind the toxicity analyser (``threadwise train|eval toxicity``).

``train`` builds the multi-task rows (``conduct_data``), fine-tunes MiniLM (``conduct``, resumable), exports the
int8 ONNX artefact to ``heads/conduct``, picks the span and review thresholds on the development split carved
from the training data, and writes meta.json and MODEL_CARD.md. ``evaluate`` prints every figure of docs/EVAL.md
beside its published anchor; evaluation-only sets (HateCheck, the audit's sources) are read only here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from threadwise.analysers.conduct import TASKS, ConductModel
from threadwise.analysers.heads import writable_heads_dir
from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.locations import cache_dir
from threadwise.train.conduct_rows import Row
from threadwise.train.operating_points import GRID, f1_threshold, precise_threshold, reject_threshold
from threadwise.train.toxicity_eval import evaluate

__all__ = ["calibrate", "evaluate", "train"]  # the trainer interface of threadwise.train


def train(data: Path) -> dict:
    """Fine-tune (or resume), export, calibrate on dev, write the artefact and its card; returns dev metrics."""
    from threadwise.train import conduct
    from threadwise.train.conduct_export import export
    from threadwise.train.toxicity_card import write_card

    workdir = cache_dir() / "conduct-train"
    weights, dev = conduct.run(data, workdir)
    staging = workdir / "artefact"
    export(weights, staging)
    meta = calibrate(ConductModel(staging_meta(staging)), dev)
    meta.update({"version": ToxicityAnalyser.version, "tasks": list(TASKS),
                 "training": json.loads((weights.parent / "data.json").read_text(encoding="utf-8"))})
    target = writable_heads_dir() / "conduct"  # THREADWISE_HEADS, or heads/ in a source checkout only
    target.mkdir(parents=True, exist_ok=True)
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copyfile(staging / name, target / name)
    (target / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    metrics = evaluate(data)
    write_card(target / "MODEL_CARD.md", metrics, meta)
    return metrics


def staging_meta(staging: Path) -> Path:
    """A staging folder the runtime can load before calibration (placeholder thresholds)."""
    meta = staging / "meta.json"
    if not meta.is_file():
        meta.write_text(json.dumps({"version": "staging", "span_gate": 0.5, "span_threshold": 0.5,
                                    "threshold_hint": 0.5}), encoding="utf-8")
    return staging


def calibrate(model: ConductModel, dev: list[Row]) -> dict[str, Any]:
    """Thresholds chosen on the development split (never on a test or evaluation set): per task the F1-best
    threshold, the lowest with precision ≥ 0.75 (``review_threshold``: where the default policy holds) and with
    precision ≥ 0.9, at least 0.5 (``reject_threshold``); and the word-piece threshold with the best span F1."""
    readings = model.read([r.text for r in dev])
    out: dict[str, Any] = {"dev_rows": len(dev), "dev": {}}
    for k, task in enumerate(TASKS):
        y = np.array([r.targets[k] for r in dev])
        known = ~np.isnan(y)
        if known.sum() < 20 or len(set((y[known] >= 0.5).tolist())) < 2:
            continue
        truth = y[known] >= 0.5
        p = np.array([readings[i].scores[task] for i in np.flatnonzero(known)])
        out["dev"][task] = {"n": int(known.sum()), "positives": int(truth.sum()),
                            "auc": round(float(roc_auc_score(truth, p)), 4),
                            "f1_threshold": f1_threshold(p, truth),
                            "review_threshold": precise_threshold(p, truth, 0.75),
                            "reject_threshold": reject_threshold(p, truth)}
    out["span_threshold"] = _span_threshold(dev, readings)
    hint = out["dev"]["toxicity"]["f1_threshold"]
    out["threshold_hint"] = hint
    out["span_gate"] = round(min(hint, 0.5), 2)
    return out


def _span_threshold(dev: list[Row], readings: list[Any]) -> float:
    """The word-piece threshold with the best mean per-comment character F1 on dev rows that have spans."""
    rows = [(r, x) for r, x in zip(dev, readings, strict=True) if r.spans is not None and r.source == "civil"]
    best, best_f1 = 0.5, -1.0
    for t in GRID:
        scores = []
        for row, reading in rows:
            gold = {i for a, b, _ in row.spans or () for i in range(a, b)}
            predicted = {i for (a, b), p in zip(reading.offsets, reading.toxic, strict=True) if p >= t
                         for i in range(a, b)}
            scores.append(char_f1(predicted, gold))
        if scores and float(np.mean(scores)) > best_f1:
            best, best_f1 = float(t), float(np.mean(scores))
    return best


def char_f1(predicted: set[int], gold: set[int]) -> float:
    """SemEval-2021 Task 5 per-comment F1 over character offsets (both empty: 1; one empty: 0)."""
    if not gold and not predicted:
        return 1.0
    overlap = len(predicted & gold)
    if not overlap:
        return 0.0
    precision, recall = overlap / len(predicted), overlap / len(gold)
    return 2 * precision * recall / (precision + recall)

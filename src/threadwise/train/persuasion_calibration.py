"""Per-technique calibration of the persuasion analyser, and the precision of the findings it shows.

A finding (label, span) is *right* when a gold span of the same technique overlaps it by at least half of
the shorter of the two (``is_correct``); ``is_correct_strict`` asks that half of the finding's own
characters lie inside gold spans of that technique. On the dev articles (carved by article from the PTC
train articles, never the held-out test articles) every candidate the analyser would consider is scored:

1. calibration: logistic regression of right/wrong on [logit(raw score), one-hot technique] — one slope,
   an intercept per technique (L2-shrunk toward the shared one, so rare techniques borrow strength);
2. threshold per technique: the lowest calibrated score t such that the dev findings at or above t have a
   Wilson lower bound (z = 1) on precision ≥ ``TARGET_PRECISION`` with at least ``MIN_SHOWN`` of them. The
   margin guards against picking t where dev precision only just touches the target by chance. A technique
   with no such t has threshold None: the analyser never shows it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from threadwise.analysers import persuasion as P
from threadwise.train.persuasion_data import Doc

TARGET_PRECISION = 0.6
MIN_SHOWN = 5
WILSON_Z = 1.0
Candidate = tuple[int, str, int, int, float, str]  # (doc index, label, start, end, score, source)


def is_correct(label: str, start: int, end: int, gold: Sequence[tuple[str, int, int]]) -> bool:
    """A gold span of ``label`` overlaps ``[start, end)`` by ≥ half of the shorter of the two spans."""
    return any(lab == label and min(end, e) - max(start, s) >= 0.5 * min(end - start, e - s) > 0
               for lab, s, e in gold)


def is_correct_strict(label: str, start: int, end: int, gold: Sequence[tuple[str, int, int]]) -> bool:
    """At least half of ``[start, end)``'s characters lie inside gold spans of ``label``."""
    inside = np.zeros(end - start, bool)
    for lab, s, e in gold:
        if lab == label and s < end and start < e:
            inside[max(s, start) - start:min(e, end) - start] = True
    return bool(end > start and inside.mean() >= 0.5)


def candidates(analyser: P.PersuasionAnalyser, docs: list[Doc], contexts: list[np.ndarray],
               batch: int = 8) -> list[Candidate]:
    """Every candidate of every doc (spans trimmed, meta mentions dropped), with the analyser's current scores."""
    out: list[Candidate] = []
    for a in range(0, len(docs), batch):
        part = docs[a:a + batch]
        texts = [d.text for d in part]
        found = analyser.candidates(texts, [P.sentence_spans(t) for t in texts], contexts[a:a + batch])
        out += [(a + i, lab, s, e, score, src) for i, items in enumerate(found) for lab, s, e, score, _, src in items]
    return out


def _features(items: Sequence[Candidate]) -> np.ndarray:
    raw = np.clip([c[4] for c in items], 1e-6, 1 - 1e-6)
    onehot = np.zeros((len(items), len(P.LABELS)))
    onehot[np.arange(len(items)), [P.LABELS.index(c[1]) for c in items]] = 1.0
    return np.column_stack([np.log(raw / (1 - raw)), onehot])


def fit_calibration(items: Sequence[Candidate], docs: list[Doc]) -> dict[str, Any]:
    """The per-technique logistic map (module docstring, step 1) from raw model scores of dev candidates."""
    model_items = [c for c in items if c[5] == "model"]
    y = [is_correct(lab, s, e, docs[i].techniques) for i, lab, s, e, _, _ in model_items]
    fit = LogisticRegression(C=1.0, max_iter=1000).fit(_features(model_items), y)
    slope, offsets = float(fit.coef_[0, 0]), fit.coef_[0, 1:]
    return {"slope": slope, "intercept": {lab: float(fit.intercept_[0] + offsets[k]) for k, lab in enumerate(P.LABELS)}}


def wilson_lower(hits: int, n: int, z: float = WILSON_Z) -> float:
    if n == 0:
        return 0.0
    p = hits / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def choose_thresholds(items: Sequence[Candidate], docs: list[Doc]) -> tuple[dict[str, float | None], dict[str, Any]]:
    """Per technique, the threshold of step 2 and its dev evidence (candidates, shown, precision)."""
    thresholds: dict[str, float | None] = {}
    evidence: dict[str, Any] = {}
    for label in P.LABELS:
        mine = sorted((c for c in items if c[1] == label and c[5] == "model"), key=lambda c: -c[4])
        right = np.cumsum([is_correct(label, s, e, docs[i].techniques) for i, _, s, e, _, _ in mine])
        best = None
        for k in range(MIN_SHOWN, len(mine) + 1):
            tie = k < len(mine) and mine[k][4] == mine[k - 1][4]
            if not tie and wilson_lower(int(right[k - 1]), k) >= TARGET_PRECISION:
                best = k
        thresholds[label] = round(mine[best - 1][4], 4) if best else None
        evidence[label] = {"candidates": len(mine), "shown": best or 0,
                           "precision": round(float(right[best - 1]) / best, 4) if best else None}
    return thresholds, evidence


def shown_precision(analyser: P.PersuasionAnalyser, docs: list[Doc], contexts: list[np.ndarray]) -> dict[str, Any]:
    """Findings the analyser shows on ``docs`` (thresholds applied, overlaps merged): count and precision per
    technique (lenient and strict), overall, and the shown spans per doc id."""
    per_doc: dict[int, list[tuple[Any, ...]]] = {}
    for i, lab, s, e, score, src in candidates(analyser, docs, contexts):
        per_doc.setdefault(i, []).append((lab, s, e, score, 0, src))
    rows: dict[str, list[tuple[bool, bool]]] = {lab: [] for lab in P.LABELS}
    spans: dict[str, list[tuple[int, int]]] = {d.id: [] for d in docs}
    for i, items in per_doc.items():
        for lab, s, e, *_ in analyser.select(items):
            gold = docs[i].techniques
            rows[lab].append((is_correct(lab, s, e, gold), is_correct_strict(lab, s, e, gold)))
            spans[docs[i].id].append((s, e))
    flat = [r for rs in rows.values() for r in rs]

    def summary(rs: list[tuple[bool, bool]]) -> dict[str, Any]:
        n = len(rs)
        return {"shown": n, "precision": round(sum(a for a, _ in rs) / n, 4) if n else None,
                "precision_strict": round(sum(b for _, b in rs) / n, 4) if n else None}

    return {"overall": summary(flat), "per_technique": {lab: summary(rs) for lab, rs in rows.items()}, "spans": spans}

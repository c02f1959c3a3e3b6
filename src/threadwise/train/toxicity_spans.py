"""Toxic span detection (SemEval-2021 Task 5) and span typing, for the ``toxicity_spans`` head.

Token labels come from character spans: a word token is toxic when at least half of its characters
are gold toxic characters. Training: ``tsd_train`` plus the full-annotation comments that are in none
of the SemEval splits (gold = characters marked by at least half of the annotators, as in the task).
The threshold, run-joining gap and fallback are chosen on ``tsd_trial``; ``tsd_test`` is only scored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from threadwise.analysers.normalise import Normalised, normalise
from threadwise.analysers.toxicity import (
    SPAN_TYPES,
    TEXT_LIMIT,
    _sigmoid,
    spans_from_tokens,
    token_matrix,
    word_tokens,
)
from threadwise.train import SEED
from threadwise.train import toxicity_data as td


def char_f1(predicted: set[int], gold: set[int]) -> float:
    """SemEval-2021 Task 5 per-comment F1 over character offsets (both empty: 1; one empty: 0)."""
    if not gold and not predicted:
        return 1.0
    if not gold or not predicted:
        return 0.0
    overlap = len(predicted & gold)
    if not overlap:
        return 0.0
    precision, recall = overlap / len(predicted), overlap / len(gold)
    return 2 * precision * recall / (precision + recall)


def _tokenised(text: str) -> tuple[Normalised, list[tuple[int, int]]]:
    norm = normalise(text, TEXT_LIMIT)
    return norm, word_tokens(norm.text)


def _labels(norm: Normalised, tokens: Sequence[tuple[int, int]], gold: set[int] | frozenset[int]) -> list[int]:
    out = []
    for start, end in tokens:
        lo, hi = norm.to_original(start, end)
        out.append(int(hi > lo and sum(1 for i in range(lo, hi) if i in gold) * 2 >= hi - lo))
    return out


def _matrix(items: Sequence[tuple[str, Any]]) -> tuple[sp.csr_matrix, np.ndarray, list[tuple[Normalised, list]]]:
    """Token features and labels of (text, gold characters) pairs; the tokenised texts, for decoding."""
    blocks, labels, docs = [], [], []
    for text, gold in items:
        norm, tokens = _tokenised(text)
        docs.append((norm, tokens))
        if tokens:
            blocks.append(token_matrix(norm, tokens))
            labels.extend(_labels(norm, tokens, gold))
    return sp.vstack(blocks).tocsr(), np.array(labels), docs


def decode(norm: Normalised, tokens: list, probs: np.ndarray, settings: dict[str, float]) -> set[int]:
    """Predicted toxic character offsets of one comment from its token probabilities."""
    if not tokens:
        return set()
    hits = probs >= settings["threshold"]
    if not hits.any() and probs.max() >= settings["fallback_threshold"]:
        hits = probs == probs.max()
    runs = spans_from_tokens(norm, tokens, hits.tolist(), max_gap=int(settings["max_gap"]))
    return {i for lo, hi, _ in runs for i in range(lo, hi)}


def _doc_probs(model_coef: np.ndarray, intercept: float, docs: list) -> list[np.ndarray]:
    out = []
    for norm, tokens in docs:
        if not tokens:
            out.append(np.zeros(0))
            continue
        out.append(_sigmoid(np.asarray(token_matrix(norm, tokens) @ model_coef) + intercept))
    return out


def mean_f1(docs: list, probs: list[np.ndarray], golds: Sequence[set[int]], settings: dict[str, float]) -> float:
    scores = [char_f1(decode(n, t, p, settings), g) for (n, t), p, g in zip(docs, probs, golds, strict=True)]
    return float(np.mean(scores))


def _tune(docs: list, probs: list[np.ndarray], golds: Sequence[set[int]]) -> tuple[dict[str, float], float]:
    """Grid search of the decoding settings on the trial split."""
    best: tuple[float, dict[str, float]] = (-1.0, {})
    for threshold in np.arange(0.2, 0.65, 0.05):
        for fallback in (1.01, 0.3, 0.2, 0.1):
            for gap in (1, 3):
                settings = {"threshold": round(float(threshold), 2), "fallback_threshold": fallback, "max_gap": gap}
                score = mean_f1(docs, probs, golds, settings)
                if score > best[0]:
                    best = (score, settings)
    return best[1], best[0]


def span_training_items(data: Path) -> list[tuple[str, Any]]:
    """tsd_train plus full-annotation comments outside every SemEval split (majority characters as gold)."""
    train = td.tsd(data, "train")
    held = {t for split in ("train", "trial", "test") for t, _ in td.tsd(data, split)}
    extra = [(c.text, c.majority) for c in td.civil_comments(data) if c.text not in held]
    return [*train, *extra]


def _type_training(data: Path, held: set[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Tokens inside typed spans, labelled with the type most annotators gave them."""
    blocks, labels = [], []
    for comment in td.civil_comments(data):
        if comment.text in held or not comment.spans:
            continue
        norm, tokens = _tokenised(comment.text)
        keep, kinds = [], []
        for j, (start, end) in enumerate(tokens):
            lo, hi = norm.to_original(start, end)
            votes = Counter(kind for a, b, kind in comment.spans if a < hi and lo < b)
            if votes:
                keep.append(j)
                kinds.append(SPAN_TYPES.index(votes.most_common(1)[0][0]))
        if keep:
            blocks.append(token_matrix(norm, [tokens[j] for j in keep]))
            labels.extend(kinds)
    return sp.vstack(blocks).tocsr(), np.array(labels)


def quantise(name: str, weights: np.ndarray) -> dict[str, np.ndarray]:
    """int8 weights with one scale per row: the type model has five rows of 2^18 weights, and float16
    would make the head over 1 MB; argmax over averaged logits does not notice the rounding."""
    scale = np.maximum(np.abs(weights).max(axis=1), 1e-12) / 127.0
    return {name: np.round(weights / scale[:, None]).astype(np.int8), f"{name}_scale": scale.astype(np.float32)}


def train_spans(data: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Fit the token model and the type model; tune decoding on trial. Returns (arrays, meta)."""
    x, y, _ = _matrix(span_training_items(data))
    model = LogisticRegression(C=1.0, solver="liblinear", max_iter=200, random_state=SEED).fit(x, y)
    coef, intercept = model.coef_[0].astype(np.float32), float(model.intercept_[0])
    trial = td.tsd(data, "trial")
    docs = [_tokenised(t) for t, _ in trial]
    settings, trial_f1 = _tune(docs, _doc_probs(coef, intercept, docs), [g for _, g in trial])
    held = {t for split in ("trial", "test") for t, _ in td.tsd(data, split)}
    tx, ty = _type_training(data, held)
    typer = LogisticRegression(C=1.0, max_iter=300, random_state=SEED).fit(tx, ty)
    arrays = {
        "coef": coef.astype(np.float16),
        "intercept": np.array([intercept], dtype=np.float32),
        **quantise("type_coef", typer.coef_),
        "type_intercept": typer.intercept_.astype(np.float32),
    }
    meta = {**settings, "trial_char_f1": round(trial_f1, 4), "token_rows": int(x.shape[0]),
            "type_rows": int(tx.shape[0]), "type_classes": list(SPAN_TYPES)}
    return arrays, meta


def evaluate_spans(data: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any], limit: int | None = None) -> dict:
    """Official char-F1 on tsd_test (the first ``limit`` comments when given), plus the type accuracy."""
    test = td.tsd(data, "test")[:limit]
    docs = [_tokenised(t) for t, _ in test]
    probs = _doc_probs(arrays["coef"].astype(np.float32), float(arrays["intercept"][0]), docs)
    f1 = mean_f1(docs, probs, [g for _, g in test], meta)
    trivial = float(np.mean([char_f1(set(), g) for _, g in test]))  # predict nothing
    return {
        "tsd_test_char_f1": round(f1, 4), "tsd_test_empty_prediction_f1": round(trivial, 4), "tsd_test_n": len(test)
    }

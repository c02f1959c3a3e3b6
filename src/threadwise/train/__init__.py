"""Reproducible training and evaluation from the public datasets in ../shared/data.

Each analyser with a trained head has a module here exposing ``train(data: Path) -> dict`` (fits with
fixed seeds, writes the head and its MODEL_CARD.md, returns metrics) and ``evaluate(data: Path,
fast: bool = False) -> dict`` (metrics on held-out data; ``fast`` is the CI subset).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from threadwise.errors import ThreadwiseError

TRAINERS = {
    "toxicity": "threadwise.train.toxicity",
    "persuasion": "threadwise.train.persuasion",
    "stance": "threadwise.train.stance",
    "target": "threadwise.train.target",
    "claims": "threadwise.train.claims",
    "constructive": "threadwise.train.constructive",
    "toxicity-multilingual": "threadwise.train.multilingual_toxicity",
}
SEED = 20261127


class MissingData(ThreadwiseError):
    code = "TW-E050"
    fix = "put the public datasets at ../shared/data beside the project, or set THREADWISE_SHARED_DATA"


def shared_data_dir() -> Path:
    """../shared/data beside the project checkout (or THREADWISE_SHARED_DATA)."""
    default = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    path = Path(os.environ.get("THREADWISE_SHARED_DATA", default))
    if not path.is_dir():
        raise MissingData(f"no dataset folder at {path}")
    return path


def trainer(name: str) -> ModuleType:
    if name not in TRAINERS:
        raise ThreadwiseError(f"no trainer for {name!r}", fix=f"trainable analysers: {', '.join(TRAINERS)}")
    return importlib.import_module(TRAINERS[name])


def cache_dir() -> Path:
    """var/cache in the checkout (git-ignored), or THREADWISE_CACHE: embeddings of training sets."""
    default = Path(__file__).resolve().parents[3] / "var" / "cache"
    return Path(os.environ.get("THREADWISE_CACHE", default))


def cached_embeddings(name: str, texts: Sequence[str]) -> np.ndarray:
    """MiniLM vectors of ``texts`` (embedding is the slow part of training on a CPU), each distinct text
    embedded once and cached as var/cache/<name>-<digest of the texts>.npy."""
    unique = sorted(set(texts))
    digest = hashlib.sha256("\x1e".join(unique).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"{name}-{digest}.npy"
    if path.is_file():
        matrix = np.load(path, allow_pickle=False)
    else:
        import torch

        from threadwise.analysers.embed import shared_embedder

        torch.set_num_threads(1)  # leave the other core to the rest of the machine
        matrix = shared_embedder().encode(unique)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    row = {t: i for i, t in enumerate(unique)}
    return matrix[[row[t] for t in texts]] if texts else np.zeros((0, matrix.shape[1]), dtype=np.float32)

"""Reproducible training and evaluation from the public datasets (``threadwise data`` lists them).

Each analyser with a trained head has a module here exposing ``train(data: Path) -> dict`` (fits with
fixed seeds, writes the head and its MODEL_CARD.md, returns metrics) and ``evaluate(data: Path,
fast: bool = False) -> dict`` (metrics on held-out data; ``fast`` is the CI subset).
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from threadwise.datasets import MissingDataset
from threadwise.errors import ThreadwiseError
from threadwise.locations import cache_dir, datasets_dir

__all__ = ["SEED", "TRAINERS", "MissingData", "cache_dir", "cached_embeddings", "shared_data_dir", "trainer"]
DATASETS_FIX = MissingDataset.fix

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

# Evaluation-only datasets (folders of shared/data, or files in them): no training loader may read them, no
# threshold or checkpoint is chosen on them. ToxiGen's seed sentences are split in half by
# ``audit.datasets.toxigen_half``; official test splits are excluded by the loaders themselves.
EVALUATION_ONLY = (
    "hatecheck_functional_tests", "multilingual_hatecheck", "holistic_bias_descriptors", "crows_pairs_counterfactual",
    "jigsaw_identity_bias_templates",
)  # fmt: skip


class EvaluationDataRead(ThreadwiseError):
    code = "TW-E052"
    fix = "evaluation-only data never trains a model; read it from an evaluate() function"


def assert_trainable(path: Path) -> None:
    """Refuse a training read of an evaluation-only dataset."""
    if any(part in EVALUATION_ONLY for part in Path(path).parts):
        raise EvaluationDataRead(f"{path} is evaluation-only")


class MissingData(ThreadwiseError):
    code = "TW-E050"
    fix = DATASETS_FIX


def shared_data_dir() -> Path:
    """The public datasets' folder (THREADWISE_SHARED_DATA; see ``threadwise.locations.datasets_dir``)."""
    path = datasets_dir()
    if not path.is_dir():
        raise MissingData(f"no dataset folder at {path}")
    return path


def trainer(name: str) -> ModuleType:
    if name not in TRAINERS:
        raise ThreadwiseError(f"no trainer for {name!r}", fix=f"trainable analysers: {', '.join(TRAINERS)}")
    return importlib.import_module(TRAINERS[name])


def cached_embeddings(name: str, texts: Sequence[str], runtime: str | None = None) -> np.ndarray:
    """MiniLM vectors of ``texts`` (embedding is the slow part of training on a CPU), each distinct text
    embedded once and cached as <cache folder>/<name>-<runtime>-<digest of the texts>.npy."""
    from threadwise.analysers.embed import Embedder, shared_embedder

    embedder = Embedder(runtime=runtime) if runtime else shared_embedder()
    unique = sorted(set(texts))
    digest = hashlib.sha256("\x1e".join(unique).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"{name}-{embedder.runtime_name}-{digest}.npy"
    if path.is_file():
        matrix = np.load(path, allow_pickle=False)
    else:
        import torch

        torch.set_num_threads(1)  # leave the other core to the rest of the machine
        matrix = embedder.encode(unique)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    row = {t: i for i, t in enumerate(unique)}
    return matrix[[row[t] for t in texts]] if texts else np.zeros((0, matrix.shape[1]), dtype=np.float32)

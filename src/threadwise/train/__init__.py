"""Reproducible training and evaluation from the public datasets in ../shared/data.

Each analyser with a trained head has a module here exposing ``train(data: Path) -> dict`` (fits with
fixed seeds, writes the head and its MODEL_CARD.md, returns metrics) and ``evaluate(data: Path,
fast: bool = False) -> dict`` (metrics on held-out data; ``fast`` is the CI subset).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from threadwise.errors import ThreadwiseError

TRAINERS = {
    "toxicity": "threadwise.train.toxicity",
    "persuasion": "threadwise.train.persuasion",
    "stance": "threadwise.train.stance",
    "target": "threadwise.train.target",
    "claims": "threadwise.train.claims",
    "constructive": "threadwise.train.constructive",
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

"""Trained heads on disk: small NumPy arrays + a JSON card, inside the package so an installed
threadwise finds them. No pickles: arrays and JSON load safely whatever the library versions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from threadwise.errors import ThreadwiseError


class MissingHead(ThreadwiseError):
    code = "TW-E042"
    fix = "run `threadwise train` for this analyser, or reinstall threadwise"


def heads_dir() -> Path:
    """Where heads live: THREADWISE_HEADS (for experiments) or the package's own heads/ folder."""
    return Path(os.environ.get("THREADWISE_HEADS", Path(__file__).resolve().parents[1] / "heads"))


def save_head(name: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    folder = heads_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / "weights.npz", allow_pickle=False, **arrays)
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def load_head(name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    folder = heads_dir() / name
    if not (folder / "weights.npz").is_file():
        raise MissingHead(f"no trained head at {folder}", source=name)
    with np.load(folder / "weights.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return arrays, meta

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


class ReadOnlyHeads(ThreadwiseError):
    code = "TW-E043"
    fix = ("an installed threadwise never writes into its own package: set THREADWISE_HEADS to a folder for the "
           "retrained heads (and keep it set when analysing, so they are the ones used)")


def heads_dir() -> Path:
    """Where heads live: THREADWISE_HEADS (for experiments) or the package's own heads/ folder."""
    return Path(os.environ.get("THREADWISE_HEADS", Path(__file__).resolve().parents[1] / "heads"))


def writable_heads_dir() -> Path:
    """Where training may write heads: THREADWISE_HEADS, or the package's heads/ only in a source checkout
    (where they are committed); an installed package's own folder is refused."""
    from threadwise.locations import source_checkout

    if "THREADWISE_HEADS" not in os.environ and source_checkout() is None:
        raise ReadOnlyHeads(f"training would overwrite the packaged heads in {heads_dir()}")
    return heads_dir()


def save_head(name: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    folder = writable_heads_dir() / name
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


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that no input overflows."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def cpu_threads() -> int:
    """Threads a model may use: THREADWISE_THREADS, default 2 (the cores of the machine this is built for)."""
    return int(os.environ.get("THREADWISE_THREADS", "2"))


def onnx_model(folder: Path, max_pieces: int, threads: int | None = None,
               truncation: str = "longest_first") -> tuple[Any, Any]:
    """A fine-tuned model's ONNX session (CPU, THREADWISE_THREADS intra-op threads unless ``threads``) and its
    tokenizer, unpadded and truncated to ``max_pieces``."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or cpu_threads()
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_pieces, strategy=truncation)
    return session, tokenizer

"""Trained heads on disk: small NumPy arrays + a JSON card, inside the package so an installed
threadwise finds them. No pickles: arrays and JSON load safely whatever the library versions."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from threadwise.errors import ThreadwiseError

T = TypeVar("T")
R = TypeVar("R")


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


def onnx_tokenizer(folder: Path, max_pieces: int, truncation: str = "longest_first") -> Any:
    """A fine-tuned model's tokenizer, unpadded and truncated to ``max_pieces``."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_pieces, strategy=truncation)
    return tokenizer


class SoloRuns:
    """Runs an int8 graph on one input at a time: one input on ``workers`` intra-op threads (a single request's
    latency), many inputs ``workers`` at once, each run on one thread.

    Dynamic quantisation scales activations per input tensor, so in a batch an input's outputs would move with its
    neighbours'; alone they are its own, and the same on either session (bit for bit, tests/test_analyser_toxicity.py).
    Runs sharing one multi-threaded pool contend for it and are slower than one after another, hence the second
    session of one intra-op thread, made on the first read of many (about 28 MB for MiniLM-L6)."""

    def __init__(self, graph: Path, workers: int | None = None) -> None:
        self.graph = graph
        self.workers = workers or cpu_threads()
        self._lock = threading.Lock()
        self._alone: Any = None
        self._pool: tuple[Any, ThreadPoolExecutor] | None = None

    def map(self, run: Callable[[Any, T], R], items: Sequence[T]) -> list[R]:
        """``run(session, item)`` for each item, in order. A single item runs on the one-input session, or on the
        pool's when only that one is loaded (a batch job then never loads a second copy of the model)."""
        if self.workers == 1 or len(items) <= 1:
            with self._lock:
                loaded = self._pool if self._alone is None else None
            session = loaded[0] if loaded is not None else self.session()
            return [run(session, item) for item in items]
        session, pool = self._many()
        return list(pool.map(lambda item: run(session, item), items))

    def session(self) -> Any:
        """The session that runs one input on ``workers`` threads (loaded on first use)."""
        with self._lock:
            if self._alone is None:
                self._alone = onnx_session(self.graph, self.workers)
            return self._alone

    def _many(self) -> tuple[Any, ThreadPoolExecutor]:
        with self._lock:
            if self._pool is None:
                self._pool = (onnx_session(self.graph, 1),
                              ThreadPoolExecutor(self.workers, thread_name_prefix=self.graph.parent.name))
            return self._pool


def onnx_session(graph: Path, threads: int) -> Any:
    """A CPU session of ONNX Runtime on ``threads`` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

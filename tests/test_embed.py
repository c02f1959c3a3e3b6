"""The two embedding runtimes give the same vectors, so heads trained on one serve on the other."""

from __future__ import annotations

import numpy as np
import pytest

from threadwise.analysers.embed import DIMENSIONS, Embedder, onnx_graph_path
from threadwise.errors import InvalidSetting

TEXTS = [
    "You are an idiot.",
    "The ceasefire will fail because Russia never kept one.",
    "word " * 400,  # past the 256-token limit: both truncate the same way
    "Ça va? naïve café — “quoted” ١٢٣",
    "",
]


@pytest.fixture(scope="module")
def runtimes() -> tuple[Embedder, Embedder]:
    return Embedder(runtime="onnx").setup(), Embedder(runtime="torch").setup()


def test_onnx_and_torch_agree(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, torch = runtimes
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), DIMENSIONS)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.9999
    assert onnx_graph_path().is_file()  # exported once, reused by every later process


def test_wordpieces_agree(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, torch = runtimes
    assert onnx.wordpiece_ids(TEXTS, 128) == torch.wordpiece_ids(TEXTS, 128)
    assert max(len(ids) for ids in onnx.wordpiece_ids(TEXTS, 128)) == 128
    assert np.array_equal(onnx.wordpiece_table(), torch.wordpiece_table())


def test_batches_keep_input_order(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, _ = runtimes
    small = Embedder(runtime="onnx", batch_size=2)
    texts = [f"comment number {i} " * (i % 7 + 1) for i in range(9)]
    assert np.allclose(small.encode(texts), onnx.encode(texts), atol=1e-5)


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(InvalidSetting, match="THREADWISE_EMBEDDER"):
        Embedder(runtime="tpu").setup()

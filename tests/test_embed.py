"""The embedding runtimes: fp32 ONNX and torch give the same vectors; the int8 default stays close to them, and a
text's int8 vector is its own whatever is embedded beside it."""

from __future__ import annotations

import numpy as np
import pytest

from threadwise.analysers.embed import DIMENSIONS, Embedder, int8_graph_path, onnx_graph_path
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
    return Embedder(runtime="onnx-fp32").setup(), Embedder(runtime="torch").setup()


@pytest.fixture(scope="module")
def int8() -> Embedder:
    return Embedder(runtime="onnx").setup()


def test_onnx_and_torch_agree(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, torch = runtimes
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), DIMENSIONS)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.9999
    assert onnx_graph_path().is_file()  # exported once, reused by every later process


def test_int8_is_the_default_and_close_to_fp32(runtimes: tuple[Embedder, Embedder], int8: Embedder) -> None:
    assert Embedder().runtime_name == "onnx" and int8_graph_path().is_file()
    a, b = int8.encode(TEXTS), runtimes[0].encode(TEXTS)
    assert a.shape == (len(TEXTS), DIMENSIONS) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() > 0.97 and cosines.max() < 0.99999  # quantised: close, not the same


def test_int8_vector_does_not_depend_on_its_neighbours(int8: Embedder) -> None:
    texts = [f"comment number {i} " * (i % 7 + 1) for i in range(9)] + ["word " * 300]
    together = int8.encode(texts)
    for i in (0, 5, 9):
        alone = Embedder(runtime="onnx").encode([texts[i]])[0]
        assert np.array_equal(alone, together[i])


def test_wordpieces_agree(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, torch = runtimes
    assert onnx.wordpiece_ids(TEXTS, 128) == torch.wordpiece_ids(TEXTS, 128)
    assert max(len(ids) for ids in onnx.wordpiece_ids(TEXTS, 128)) == 128
    assert np.array_equal(onnx.wordpiece_table(), torch.wordpiece_table())


def test_batches_keep_input_order(runtimes: tuple[Embedder, Embedder]) -> None:
    onnx, _ = runtimes
    small = Embedder(runtime="onnx-fp32", batch_size=2)
    texts = [f"comment number {i} " * (i % 7 + 1) for i in range(9)]
    assert np.allclose(small.encode(texts), onnx.encode(texts), atol=1e-5)


def test_more_texts_than_the_cache_holds_are_all_embedded(int8: Embedder) -> None:
    texts = [f"comment number {i}" for i in range(7)]
    small = Embedder(runtime="onnx", cache_size=3)
    assert np.array_equal(small.encode(texts), int8.encode(texts))
    assert np.array_equal(small.encode(texts[::-1]), int8.encode(texts[::-1]))  # some remembered, some not


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(InvalidSetting, match="THREADWISE_EMBEDDER"):
        Embedder(runtime="tpu").setup()


def test_mapped_tensor_reads_one_tensor_in_place(tmp_path) -> None:
    from safetensors.numpy import save_file

    from threadwise.analysers.embed import mapped_tensor

    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    save_file({"first": np.ones(5, dtype=np.float32), "table": table, "half": table.astype(np.float16)},
              str(tmp_path / "w.safetensors"))
    mapped = mapped_tensor(tmp_path / "w.safetensors", "table")
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    assert np.array_equal(mapped, table)
    with pytest.raises(ValueError, match="half is F16"):
        mapped_tensor(tmp_path / "w.safetensors", "half")


@pytest.mark.parametrize("runtime", ["onnx", "onnx-fp32"])
def test_token_states_give_the_vectors_and_sentence_vectors_in_context(runtime: str) -> None:
    embedder = Embedder(runtime=runtime)
    texts = ["  Taxes rose 20% in 2019. Nobody cares.", "One sentence only.", "word " * 400]
    vectors, states = embedder.encode_with_states(texts)
    assert np.allclose(vectors, Embedder(runtime=runtime).encode(texts), atol=1e-5)
    first = states[0]
    assert first is not None and first.states.shape == (len(first.offsets), DIMENSIONS)
    # a text that is one sentence: its sentence's vector in context is its own vector
    single = states[1]
    assert single is not None and np.allclose(single.span_vector(0, len(texts[1])), vectors[1], atol=1e-5)
    # a sentence among others is read in their context: near its lone vector, not equal to it
    in_context = first.span_vector(2, 25)
    assert in_context is not None and np.isclose(np.linalg.norm(in_context), 1, atol=1e-5)
    cosine = float(in_context @ embedder.encode(["Taxes rose 20% in 2019."])[0])
    assert 0.7 < cosine < 0.9999
    last = states[2]
    assert last is not None and last.span_vector(1900, 2000) is None  # truncated away after 256 pieces

"""The similarity encoder and the conduct model share their frozen bottom layers: one run of them serves both, and
every output is the same bit for bit as each full graph's."""

from __future__ import annotations

import numpy as np

from threadwise.analysers.conduct import ConductModel
from threadwise.analysers.embed import Embedder, int8_graph_path
from threadwise.analysers.heads import heads_dir
from threadwise.analysers.shared_bottom import cut

TEXTS = ["You are a pathetic idiot and a liar.", "Thanks for the article. " * 30, "y0u @re a c0mplete 1d10t",
         "word " * 400, "I will find you and hurt you.", "¿Dónde está la fuente?"]


def _same(a: object, b: object) -> bool:
    return (a.scores == b.scores and np.array_equal(a.toxic, b.toxic)  # type: ignore[attr-defined]
            and a.kinds == b.kinds and a.offsets == b.offsets)  # type: ignore[attr-defined]


def test_the_shipped_models_share_their_bottom_and_every_output_is_unchanged() -> None:
    embedder = Embedder(runtime="onnx")
    vectors, states = embedder.encode_with_states(TEXTS)
    shared = cut(int8_graph_path(), heads_dir() / "conduct" / "model.onnx")
    assert shared is not None and all(s is not None and s.bottom_key == shared.key for s in states)

    separate = Embedder(runtime="onnx").setup()
    separate.model_.split = None  # type: ignore[union-attr]  # the full graph, as without a shared bottom
    assert np.array_equal(separate.encode(TEXTS), vectors)

    full = ConductModel()
    full.setup()
    full.shared_bottom = None  # its own full pass
    alone, on_given = ConductModel().read(TEXTS), ConductModel().read(TEXTS, states)
    assert all(_same(a, b) and _same(a, c) for a, b, c in zip(full.read(TEXTS), alone, on_given, strict=True))


def test_a_graph_without_the_same_bottom_is_not_cut() -> None:
    # the stance pair model is another fine-tune with other outputs: no sharing, and no failure either
    assert cut(int8_graph_path(), heads_dir() / "stance" / "model.onnx") is None

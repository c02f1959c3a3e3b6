"""Export the fine-tuned conduct model to ONNX and quantise it to int8:
``python -m threadwise.train.conduct_export WEIGHTS.pt OUT_DIR``.

Run in a child process (an in-process export after other use of the model gave wrong graphs once, see
shared/MODELS.md). Writes ``model.fp32.onnx`` (kept out of the package) and ``model.onnx`` (int8, dynamic
quantisation of the MatMul/Gemm weights), plus the packaged ``tokenizer.json``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def export(weights: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "threadwise.train.conduct_export", str(weights), str(out)], check=True)


def main(weights: str, out_dir: str) -> None:
    import torch

    from threadwise.train.conduct import build_model

    out = Path(out_dir)
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model = build_model(sentence_head="sentence.weight" in state)
    model.load_state_dict(state)
    outputs = {"doc_logits": {0: "batch"}, "token_logits": TOKEN_AXES}
    if model.sentence is not None:
        outputs["sentence"] = {0: "batch"}
    export_int8(model, ["input_ids", "attention_mask"], outputs, out / "model.fp32.onnx", out)


TOKEN_AXES = {0: "batch", 1: "tokens"}


def export_int8(model: Any, inputs: Sequence[str], outputs: dict[str, dict[int, str]], fp32: Path, out: Path) -> None:
    """``model`` (fed one int64 tensor per name in ``inputs``) as an fp32 ONNX graph at ``fp32``, then dynamically
    quantised to int8 as ``out/model.onnx`` beside the packaged tokenizer: every fine-tuned model here ships so."""
    import torch

    from threadwise.analysers.embed import quantise_onnx
    from threadwise.train.conduct import base_model_path

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    example = tuple(torch.ones(2, 16, dtype=torch.long) for _ in inputs)
    with torch.no_grad():
        torch.onnx.export(model, example, str(fp32), input_names=list(inputs), output_names=list(outputs),
                          dynamic_axes={**dict.fromkeys(inputs, TOKEN_AXES), **outputs}, opset_version=17,
                          dynamo=False)
    quantise_onnx(fp32, out / "model.onnx")
    shutil.copyfile(Path(base_model_path()) / "tokenizer.json", out / "tokenizer.json")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

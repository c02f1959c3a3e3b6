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
from pathlib import Path


def export(weights: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "threadwise.train.conduct_export", str(weights), str(out)], check=True)


def main(weights: str, out_dir: str) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from threadwise.train.conduct import base_model_path, build_model

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    model.eval()
    fp32 = out / "model.fp32.onnx"
    example = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            model, example, str(fp32), input_names=["input_ids", "attention_mask"],
            output_names=["doc_logits", "token_logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "doc_logits": {0: "batch"},
                          "token_logits": axes},
            opset_version=17, dynamo=False,
        )
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    shutil.copyfile(Path(base_model_path()) / "tokenizer.json", out / "tokenizer.json")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Export the packaged MiniLM encoder to an ONNX graph: ``python -m threadwise.analysers.onnx_export OUT``.

Run by ``embed.export_onnx`` in a child process. The graph takes ``input_ids`` and ``attention_mask``
(batch and sequence axes dynamic) and returns the last hidden state; pooling stays in ``embed``.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main(out: str) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    from threadwise.analysers.embed import model_path

    model = AutoModel.from_pretrained(str(model_path())).eval()
    export_last_hidden(model, out, "input_ids", torch.ones(2, 16, dtype=torch.long))


def export_last_hidden(model: Any, out: str, first: str, example: Any) -> None:
    """Export a transformers encoder that takes ``first`` (``input_ids``, or ``inputs_embeds`` fed in as
    ``word_rows``) and ``attention_mask``, batch and sequence axes dynamic, and returns its last hidden states."""
    import torch

    class Encoder(torch.nn.Module):
        # transformers' BertModel must get keyword arguments: a direct export trips over ``use_cache``.
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, inputs: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(**{first: inputs}, attention_mask=attention_mask).last_hidden_state

    name = "word_rows" if first == "inputs_embeds" else first
    axes = {0: "batch", 1: "tokens"}
    mask = torch.ones(example.shape[:2], dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            Encoder(), (example, mask), out, input_names=[name, "attention_mask"], output_names=["hidden"],
            dynamic_axes={name: axes, "attention_mask": axes, "hidden": axes}, opset_version=17, dynamo=False,
        )


if __name__ == "__main__":
    main(sys.argv[1])

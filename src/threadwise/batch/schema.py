"""The output schema: one Parquet row per finding, one per comment summary (documented in docs/BATCH.md).

Rows name comments by the input's own ``thread_id`` and ``comment_id`` and by ``seq``, the comment's
place among the input's valid rows, which also orders the output. ``detail`` is JSON text (its keys
differ per analyser), so every engine reads the files without a per-analyser schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from threadwise.batch.staging import RowKey
from threadwise.model import Finding

SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string())])

FINDINGS_SCHEMA = pa.schema([
    ("seq", pa.int64()),
    ("thread_id", pa.string()),
    ("comment_id", pa.string()),
    ("analyser", pa.string()),
    ("analyser_version", pa.string()),
    ("label", pa.string()),
    ("score", pa.float64()),
    ("spans", pa.list_(SPAN)),
    ("detail", pa.string()),
    ("run_id", pa.string()),
    ("tier", pa.string()),
])

COMMENTS_SCHEMA = pa.schema([
    ("seq", pa.int64()),
    ("source", pa.string()),
    ("line", pa.int64()),
    ("thread_id", pa.string()),
    ("comment_id", pa.string()),
    ("parent_id", pa.string()),
    ("article_found", pa.bool_()),
    ("parent_found", pa.bool_()),
    ("findings", pa.int32()),
    ("labels", pa.list_(pa.string())),
    ("toxicity", pa.float64()),
    ("failed_analysers", pa.list_(pa.string())),
    ("run_id", pa.string()),
    ("tier", pa.string()),
])


def findings_table(keys: Sequence[RowKey], findings: Sequence[Finding], run_id: str, tier: str) -> pa.Table:
    """Findings in input order (by ``seq``; per comment in the order the pipeline produced them)."""
    by_seq = {key.seq: key for key in keys}
    ordered = sorted(findings, key=lambda f: int(f.comment_id))  # stable: keeps the pipeline's order
    rows = [
        {"seq": int(f.comment_id), "thread_id": by_seq[int(f.comment_id)].thread_id,
         "comment_id": by_seq[int(f.comment_id)].comment_id, "analyser": f.analyser,
         "analyser_version": f.analyser_version, "label": f.label, "score": f.score,
         "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in f.spans],
         "detail": json.dumps(f.detail, sort_keys=True, ensure_ascii=False, default=_plain),
         "run_id": run_id, "tier": tier}
        for f in ordered
    ]
    return pa.Table.from_pylist(rows, schema=FINDINGS_SCHEMA)


def comments_table(keys: Sequence[RowKey], findings: Sequence[Finding], failed: dict[str, list[str]],
                   run_id: str, tier: str) -> pa.Table:
    """One summary row per comment: how many findings, which labels, the toxicity score, failures."""
    per_comment: dict[str, list[Finding]] = {}
    for item in findings:
        per_comment.setdefault(item.comment_id, []).append(item)
    rows = []
    for key in keys:
        found = per_comment.get(str(key.seq), [])
        toxicity = next((f.score for f in found if f.analyser == "toxicity" and f.label == "toxicity"), None)
        rows.append({
            "seq": key.seq, "source": key.source, "line": key.line, "thread_id": key.thread_id,
            "comment_id": key.comment_id, "parent_id": key.parent_id, "article_found": key.article_found,
            "parent_found": key.parent_found, "findings": len(found),
            "labels": sorted({f"{f.analyser}:{f.label}" for f in found}), "toxicity": toxicity,
            "failed_analysers": failed.get(str(key.seq), []), "run_id": run_id, "tier": tier,
        })
    return pa.Table.from_pylist(rows, schema=COMMENTS_SCHEMA)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)

"""What a worker does with one partition: build the contexts, run the pipeline, return the two tables.

Runs the same in the driver (one worker), in a local worker process or on a Dask worker: the pipeline is
built once per process (``get_pipeline`` is cached) and used by one partition at a time. Tiers:

- ``fast``: toxicity (the conduct model, as the API's ``CommentScorer`` scores) and quotes (article and
  parent passages); no sentence embedding.
- ``full``: the whole analyser pipeline of ``service.analyse_thread`` (MiniLM embeddings included).

Results must not depend on which worker ran a partition or what it ran before, so each worker runs its
numeric libraries on one thread and the full tier empties the embedding cache before every partition.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyarrow as pa

from threadwise.analysers.base import CommentContext, get_analyser_class
from threadwise.batch.errors import InvalidBatchOption
from threadwise.batch.schema import comments_table, findings_table
from threadwise.batch.staging import RowKey
from threadwise.model import Article, Comment
from threadwise.pipeline import DEFAULT_ANALYSERS, Pipeline

TIERS = ("fast", "full")
FAST_ANALYSERS = ("toxicity", "quotes")



def resolve_analysers(tier: str, names: Sequence[str] | None) -> tuple[str, ...]:
    """The analysers a tier runs (validated before any data is read)."""
    if tier not in TIERS:
        raise InvalidBatchOption(f"unknown tier {tier!r}", fix=f"use one of: {', '.join(TIERS)}")
    allowed = FAST_ANALYSERS if tier == "fast" else None
    if not names:
        return FAST_ANALYSERS if tier == "fast" else DEFAULT_ANALYSERS
    unknown = [n for n in names if allowed is not None and n not in allowed]
    if unknown:
        raise InvalidBatchOption(f"the fast tier cannot run {', '.join(unknown)}",
                                 fix=f"the fast tier runs {', '.join(FAST_ANALYSERS)}; use --tier full for others")
    for name in names:
        get_analyser_class(name)  # unknown names fail now, with the list of known ones
    return tuple(names)


def analyser_versions(names: Sequence[str]) -> dict[str, str]:
    return {name: get_analyser_class(name).version for name in names}


@lru_cache(maxsize=2)
def get_pipeline(names: tuple[str, ...]) -> Pipeline:
    """The process's pipeline for these analysers, loaded once (a worker runs many partitions)."""
    pipeline = Pipeline([get_analyser_class(name)() for name in names]).setup()
    _one_math_thread()  # after setup: the libraries it loaded are limited too
    return pipeline


def _one_math_thread() -> None:
    """Parallelism comes from workers; one math thread each also keeps float results scheduling-free."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    if "torch" in sys.modules:  # only the full tier loads it
        sys.modules["torch"].set_num_threads(1)


@dataclass(frozen=True)
class PartitionTask:
    """One partition's rows as the driver read them; pickles to any worker (articles pickle once)."""

    index: int
    run_id: str
    tier: str
    analysers: tuple[str, ...]
    keys: list[RowKey]
    items: list[tuple[Comment, Article | None, tuple[Comment, ...]]] = field(repr=False)
    # Where a worker process tells the driver how far it is: a queue taking (partition index, comments done).
    progress: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PartitionResult:
    index: int
    findings: pa.Table
    comments: pa.Table


_RUN_LOCK = threading.Lock()  # a Dask worker may run several threads; the pipeline serves one at a time


def analyse_partition(task: PartitionTask, on_comments: Callable[[int], None] | None = None) -> PartitionResult:
    """Run the tier's pipeline over one partition and return its findings and comment summaries.

    Progress, after each of the pipeline's small batches: ``on_comments(n)`` in this process, else a
    ``(index, n)`` on ``task.progress`` (a worker process's way back to the driver)."""
    pipeline = get_pipeline(task.analysers)
    contexts = [CommentContext(comment=c, article=a, ancestors=anc) for c, a, anc in task.items]
    if on_comments is None and task.progress is not None:
        queue = task.progress

        def on_comments(n: int) -> None:
            queue.put((task.index, n))

    with _RUN_LOCK:
        if task.tier == "full":
            _forget_embeddings()
        result = pipeline.run(contexts, run_id=task.run_id, on_batch=on_comments)
    failed: dict[str, list[str]] = {}
    for failure in result.failures:
        for comment_id in failure.comment_ids:
            failed.setdefault(comment_id, []).append(failure.analyser)
    return PartitionResult(
        task.index,
        findings_table(task.keys, result.findings, task.run_id, task.tier),
        comments_table(task.keys, result.findings, failed, task.run_id, task.tier),
    )


def _forget_embeddings() -> None:
    """A vector cached from another partition's batch can differ in the last float bits from one computed
    in this batch (padding changes the matrix shapes), so each partition starts from an empty cache."""
    from threadwise.analysers.embed import shared_embedder

    shared_embedder().clear()

"""Runners: where partitions are analysed — in this process, in local worker processes, or on Dask.

Runners only move work: each takes an iterator of partition tasks, keeps a bounded number in flight
(so memory does not grow with the input) and yields results as they finish, in any order. Every one of
them calls the same ``analyse_partition``, so the outputs are the same row for row.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from threadwise.batch.analysis import PartitionResult, PartitionTask, analyse_partition
from threadwise.batch.errors import PartitionFailed, SchedulerUnavailable

IN_FLIGHT_PER_WORKER = 2  # one running, one queued: workers never wait for the driver


def run_partitions(tasks: Iterator[PartitionTask], *, workers: int = 1,
                   scheduler: str | None = None) -> Iterator[PartitionResult]:
    """Analyse every task; results come back as they finish."""
    if scheduler is not None:
        return _on_dask(tasks, scheduler)
    if workers == 1:
        return (analyse_partition(task) for task in tasks)
    return _in_processes(tasks, workers)


def _in_processes(tasks: Iterator[PartitionTask], workers: int) -> Iterator[PartitionResult]:
    # spawn, not fork: forking a process that already runs math threads can deadlock the child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[PartitionResult], int] = {}
        for task in tasks:
            pending[pool.submit(analyse_partition, task)] = task.index
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _collect(pending)
        while pending:
            yield from _collect(pending)


def _collect(pending: dict[Future[PartitionResult], int]) -> Iterator[PartitionResult]:
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        yield _result(future, pending.pop(future))


def _result(future: Any, index: int, fatal: tuple[type[BaseException], ...] = (BrokenProcessPool,)) -> PartitionResult:
    """The partition's result; a dead worker becomes a coded error (finished partitions are kept)."""
    try:
        result: PartitionResult = future.result()
    except fatal as error:
        raise PartitionFailed(f"a worker died while analysing partition {index}",
                              source=f"partition {index}") from error
    return result


def _on_dask(tasks: Iterator[PartitionTask], scheduler: str) -> Iterator[PartitionResult]:
    from distributed import Client, KilledWorker, as_completed

    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler ({error})", source=scheduler) from error
    with client:
        window = max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER
        running = as_completed()
        indices: dict[object, int] = {}
        for task in tasks:
            future = client.submit(analyse_partition, task, key=f"threadwise-{task.run_id}-{task.index}", pure=False)
            indices[future.key] = task.index
            running.add(future)
            while running.count() >= window:
                finished = next(running)
                yield _result(finished, indices[finished.key], (KilledWorker,))
        for future in running:
            yield _result(future, indices[future.key], (KilledWorker,))

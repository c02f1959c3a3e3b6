"""Runners: where partitions are analysed — in this process, in local worker processes, or on Dask.

Runners only move work: each takes an iterator of partition tasks, keeps a bounded number in flight
(so memory does not grow with the input) and yields results as they finish, in any order. Every one of
them calls the same ``analyse_partition``, so the outputs are the same row for row.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import partial
from typing import Any

from threadwise.batch.analysis import PartitionResult, PartitionTask, analyse_partition
from threadwise.batch.errors import PartitionFailed, SchedulerUnavailable

IN_FLIGHT_PER_WORKER = 2  # one running, one queued: workers never wait for the driver


OnComments = Callable[[int, int], None]  # (partition index, comments just analysed in it)
PROGRESS_POLL_SECONDS = 0.25  # how often the driver looks for worker processes' progress while it waits


def run_partitions(tasks: Iterator[PartitionTask], *, workers: int = 1, scheduler: str | None = None,
                   on_comments: OnComments | None = None) -> Iterator[PartitionResult]:
    """Analyse every task; results come back as they finish. ``on_comments`` hears of progress within
    partitions, after each small batch, in this process and from local workers (a Dask run reports only
    finished partitions)."""
    if scheduler is not None:
        return _on_dask(tasks, scheduler)
    if workers == 1:
        return (analyse_partition(task, _for_partition(on_comments, task.index)) for task in tasks)
    return _in_processes(tasks, workers, on_comments)


def _for_partition(on_comments: OnComments | None, index: int) -> Callable[[int], None] | None:
    return None if on_comments is None else partial(on_comments, index)


def _in_processes(tasks: Iterator[PartitionTask], workers: int,
                  on_comments: OnComments | None) -> Iterator[PartitionResult]:
    # spawn, not fork: forking a process that already runs math threads can deadlock the child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, context.Manager() as manager:
        progress = manager.Queue() if on_comments is not None else None

        def drain() -> None:
            while progress is not None and not progress.empty():
                index, n = progress.get_nowait()
                assert on_comments is not None
                on_comments(index, n)

        def first_done(futures: list[Any]) -> Any:
            while True:  # wait in short steps, passing on the workers' progress in between
                done, waiting = wait(futures, timeout=PROGRESS_POLL_SECONDS, return_when=FIRST_COMPLETED)
                drain()
                if done:
                    return done, waiting

        with_queue = (replace(task, progress=progress) for task in tasks)
        window = workers * IN_FLIGHT_PER_WORKER
        yield from _windowed(with_queue, pool.submit, first_done, window, (BrokenProcessPool,))


def _on_dask(tasks: Iterator[PartitionTask], scheduler: str) -> Iterator[PartitionResult]:
    from distributed import Client, KilledWorker
    from distributed import wait as dask_wait

    try:
        client = Client(scheduler)  # the default client while it runs: `wait` uses it
    except (OSError, TimeoutError) as error:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler ({error})", source=scheduler) from error
    with client:
        window = max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER

        def submit(function: Any, task: PartitionTask) -> Any:
            return client.submit(function, task, key=f"threadwise-{task.run_id}-{task.index}", pure=False)

        first_done = partial(dask_wait, return_when="FIRST_COMPLETED")
        yield from _windowed(tasks, submit, first_done, window, (KilledWorker,))


def _windowed(tasks: Iterator[PartitionTask], submit: Callable[..., Any], first_done: Callable[[Any], Any],
              window: int, fatal: tuple[type[BaseException], ...]) -> Iterator[PartitionResult]:
    """Keep at most ``window`` tasks submitted; yield each result as it finishes."""
    pending: dict[Any, int] = {}
    for task in tasks:
        pending[submit(analyse_partition, task)] = task.index
        while len(pending) >= window:
            yield from _collect(pending, first_done, fatal)
    while pending:
        yield from _collect(pending, first_done, fatal)


def _collect(pending: dict[Any, int], first_done: Callable[[Any], Any],
             fatal: tuple[type[BaseException], ...]) -> Iterator[PartitionResult]:
    done, _ = first_done(list(pending))
    for future in done:
        index = pending.pop(future)
        try:
            result: PartitionResult = future.result()
        except fatal as error:  # a dead worker: a coded error; finished partitions are kept for --resume
            raise PartitionFailed(f"a worker died while analysing partition {index}",
                                  source=f"partition {index}") from error
        yield result

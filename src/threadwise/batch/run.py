"""The batch use-case: inputs → staging index → partitions analysed by a runner → Parquet part files.

The output folder (``-o OUT.parquet``) is a Parquet dataset per table plus the run's bookkeeping:

    OUT.parquet/findings/part-00000.parquet …   one row per finding
    OUT.parquet/comments/part-00000.parquet …   one row per comment (summary)
    OUT.parquet/errors.jsonl                    corrupt rows (line, reason) and threads without article
    OUT.parquet/manifest.json                   input fingerprint, settings, finished partitions

Each partition's two files are written under hidden temporary names and renamed into place, then the
manifest records the partition as done. A run killed at any moment therefore leaves only whole part
files, and ``resume`` redoes exactly the partitions the manifest does not list: no row lost or doubled.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow.parquet as pq

from threadwise.batch.analysis import (
    PartitionResult,
    PartitionTask,
    analyser_versions,
    resolve_analysers,
)
from threadwise.batch.errors import (
    BatchInputError,
    InputChanged,
    InvalidBatchOption,
    OutputExists,
    SettingsChanged,
)
from threadwise.batch.manifest import MANIFEST_FILE, Manifest, fingerprint
from threadwise.batch.readers import iter_input_files
from threadwise.batch.runners import run_partitions
from threadwise.batch.staging import ERRORS_FILE, STAGING_FILE, Staging, build_staging
from threadwise.model import make_id
from threadwise.owner import Owner

TABLES = ("findings", "comments")
_OURS = {MANIFEST_FILE, ERRORS_FILE, STAGING_FILE, *TABLES}

Progress = Callable[[str, int, int | None], None]  # (phase "reading" | "analysing", done, total)


@dataclass(frozen=True)
class BatchOptions:
    """How to run; only tier, analysers and partition size shape the output (and must match on resume)."""

    tier: str = "fast"
    analysers: tuple[str, ...] | None = None
    workers: int = 1
    scheduler: str | None = None
    partition_size: int = 1000
    resume: bool = False


@dataclass(frozen=True)
class BatchSummary:
    out: Path
    comments: int
    corrupt_rows: int
    threads_without_article: int
    partitions: int
    partitions_run: int  # by this call; the rest were done by an earlier, interrupted one
    findings: int  # written by this call

    @property
    def errors_file(self) -> Path:
        return self.out / ERRORS_FILE


def run_batch(inputs: Sequence[str], out: Path, *, articles: Sequence[str] = (),
              options: BatchOptions = BatchOptions(), on_progress: Progress | None = None) -> BatchSummary:
    """Analyse every comment of the inputs into ``out``; with ``options.resume``, finish an interrupted run."""
    files = iter_input_files(list(inputs))
    for path in articles:
        if not Path(path).is_file():
            raise BatchInputError("no such articles file", source=path, fix="check the --articles path")
    names = resolve_analysers(options.tier, options.analysers)
    _check_counts(options)
    settings = {"tier": options.tier, "analysers": analyser_versions(names),
                "partition_size": options.partition_size}
    input_fingerprint = fingerprint(list(inputs), list(articles))
    manifest = _open_output(out, input_fingerprint, settings, list(inputs), options.resume)
    if not (out / STAGING_FILE).is_file() and not manifest.complete:
        build_staging(out, files, articles, on_row=lambda n: on_progress("reading", n, None) if on_progress else None)
    corrupt, missing = _count_errors(out)
    if manifest.complete:
        (out / STAGING_FILE).unlink(missing_ok=True)  # killed between completing and cleaning up
        return BatchSummary(out, manifest.comments or 0, corrupt, missing, manifest.partitions or 0, 0, 0)
    staging = Staging(out)
    try:
        manifest.comments = staging.count()
        manifest.partitions = -(-manifest.comments // options.partition_size)
        manifest.save(out)
        run, findings = _analyse(staging, manifest, names, options, out, on_progress)
    finally:
        staging.close()
    manifest.complete = True
    manifest.save(out)
    (out / STAGING_FILE).unlink()  # a copy of the corpus: not kept once every partition is written
    return BatchSummary(out, manifest.comments, corrupt, missing, manifest.partitions, run, findings)


def _check_counts(options: BatchOptions) -> None:
    if options.workers < 1:
        raise InvalidBatchOption(f"--workers {options.workers}", fix="give at least 1 worker")
    if options.workers > 1 and options.scheduler is not None:
        raise InvalidBatchOption("--workers with --scheduler",
                                 fix="the cluster's workers do the work: drop --workers, or drop --scheduler")
    if options.partition_size < 1:
        raise InvalidBatchOption(f"--partition-size {options.partition_size}", fix="give at least 1 row")


def _open_output(out: Path, input_fingerprint: str, settings: dict[str, object], inputs: list[str],
                 resume: bool) -> Manifest:
    """The manifest to continue (resume) or a fresh one; refuses to mix runs in one folder."""
    if out.exists() and not out.is_dir():
        raise OutputExists("is a file; batch output is a folder (a Parquet dataset)", source=str(out),
                           fix="choose another -o, e.g. OUT.parquet (a folder is created)")
    previous = Manifest.load(out) if out.is_dir() else None
    if previous is not None and not resume:
        raise OutputExists("already holds a batch run", source=str(out))
    if previous is None and out.is_dir() and any(p.name not in _OURS for p in out.iterdir()):
        raise OutputExists("is a folder holding other files", source=str(out),
                           fix="give a new or empty folder for the output")
    if previous is not None:
        if previous.input_fingerprint != input_fingerprint:
            raise InputChanged("the input files differ from those of the run being resumed", source=str(out))
        if previous.settings != settings:
            raise SettingsChanged(f"the run used {previous.settings}, now asked {settings}", source=str(out))
        if previous.writer_alive():  # two drivers on one folder would each redo and rename the other's parts
            raise OutputExists(f"is being written by a run still going (pid {(previous.owner or {}).get('pid')})",
                               source=str(out), fix="wait for it to end, or stop it, then --resume")
        previous.owner = asdict(Owner.current())
        previous.save(out)
        for leftover in out.glob("*/.part-*.tmp"):  # a part being written when the run was killed
            leftover.unlink()
        return previous
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        shutil.rmtree(out / table, ignore_errors=True)  # parts of a run whose manifest never got written
    run_id = make_id("batch", input_fingerprint, sorted(settings.items()))
    manifest = Manifest(run_id=run_id, input_fingerprint=input_fingerprint, settings=settings, inputs=inputs,
                        owner=asdict(Owner.current()))
    (out / STAGING_FILE).unlink(missing_ok=True)
    manifest.save(out)
    return manifest


def _analyse(staging: Staging, manifest: Manifest, names: tuple[str, ...], options: BatchOptions, out: Path,
             on_progress: Progress | None) -> tuple[int, int]:
    total = manifest.comments or 0
    done = set(manifest.done)
    analysed = sum(min(options.partition_size, total - i * options.partition_size) for i in done)
    if on_progress:
        on_progress("analysing", analysed, total)
    tasks = _tasks(staging, manifest, names, options, done)
    run = findings = 0
    partial: dict[int, int] = {}  # comments analysed so far in partitions not yet finished

    def within(index: int, n: int) -> None:
        partial[index] = partial.get(index, 0) + n
        if on_progress:
            on_progress("analysing", analysed + sum(partial.values()), total)

    for result in run_partitions(tasks, workers=options.workers, scheduler=options.scheduler, on_comments=within):
        _commit(out, result)
        manifest.done = sorted({*manifest.done, result.index})
        manifest.save(out)
        run += 1
        findings += result.findings.num_rows
        analysed += result.comments.num_rows
        partial.pop(result.index, None)
        if on_progress:
            on_progress("analysing", analysed + sum(partial.values()), total)
    return run, findings


def _tasks(staging: Staging, manifest: Manifest, names: tuple[str, ...], options: BatchOptions,
           done: set[int]) -> Iterator[PartitionTask]:
    """Tasks for the partitions not yet done, read lazily: only those in flight are in memory."""
    size = options.partition_size
    for index in range(manifest.partitions or 0):
        if index not in done:
            keys, items = staging.partition(index * size, (index + 1) * size)
            yield PartitionTask(index, manifest.run_id, options.tier, names, keys, items)


def _commit(out: Path, result: PartitionResult) -> None:
    """Both part files, each written aside and renamed into place (atomic on one filesystem)."""
    for table_name, table in (("findings", result.findings), ("comments", result.comments)):
        folder = out / table_name
        folder.mkdir(exist_ok=True)
        final = folder / f"part-{result.index:05d}.parquet"
        temp = folder / f".{final.name}.tmp"  # a leading dot: dataset readers skip it
        pq.write_table(table, temp)
        os.replace(temp, final)


def _count_errors(out: Path) -> tuple[int, int]:
    """(corrupt rows, threads without article) as the errors file records them."""
    corrupt = missing = 0
    path = out / ERRORS_FILE
    if path.is_file():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if '"missing_article"' in line:
                    missing += 1
                else:
                    corrupt += 1
    return corrupt, missing

"""Batch throughput and memory (issue 5): ``threadwise batch`` over synthetic corpora of growing size.

For each corpus size and worker count, runs the CLI in a subprocess (as a user would) and samples the
RSS of its whole process tree every 0.1 s: the driver's peak, and the peak of driver + worker
processes together. Throughput is comments / wall time, start-up and model loading included.
Corpora come from benchmarks/batch_corpus.py and are cached under var/bench/.

    .venv/bin/python benchmarks/bench_batch.py --sizes 10000 100000 --workers 1 2 [--tier fast] [--markdown]

``--stop-after P`` makes a run a memory probe for inputs too large to analyse here in full: the whole
input is read and staged, P partitions analysed, then the run is killed and its peak RSS reported.

``--verify-dask N`` is the issue's acceptance check on N comments (fast tier): the run on a Dask
LocalCluster (2 workers) must equal the local 2-worker run row for row, and a run killed (SIGKILL to its
process group) after a third of its partitions and resumed must equal it too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import pyarrow.dataset as ds

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import write_corpus

VAR = Path(__file__).resolve().parents[1] / "var" / "bench"


@dataclass
class Measure:
    comments: int
    workers: int
    seconds: float
    driver_rss_mb: float
    tree_rss_mb: float
    cpu_seconds: float  # user + system, all processes: on a shared machine, the work done, not the wait

    @property
    def rate(self) -> float:
        return self.comments / self.seconds


def corpus(n: int) -> tuple[Path, Path]:
    comments = VAR / f"c{n}.jsonl"
    articles = VAR / f"c{n}.articles.jsonl"
    if not (comments.is_file() and articles.is_file()):
        write_corpus(n, comments)
    return comments, articles


def batch_command(n: int, out: Path, *extra: str, tier: str = "fast") -> list[str]:
    comments, articles = corpus(n)
    return [sys.executable, "-m", "threadwise", "batch", str(comments), "--articles", str(articles), "-o", str(out),
            "--tier", tier, *extra]


def run_measured(command: list[str], n: int, workers: int, *, kill_after: float | None = None,
                 out: Path | None = None, stop_after: int | None = None) -> Measure:
    """Run to the end, or SIGKILL once ``kill_after`` (a share) or ``stop_after`` (a count) of the partitions
    are done; samples the RSS of the process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    driver = psutil.Process(process.pid)
    peak_driver = peak_tree = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        try:
            tree = [driver, *driver.children(recursive=True)]
            rss = [p.memory_info().rss for p in tree]
            cpu.update({p.pid: sum(p.cpu_times()[:2]) for p in tree})
        except psutil.Error:
            rss = [0]
        peak_driver, peak_tree = max(peak_driver, rss[0]), max(peak_tree, sum(rss))
        if out is not None and (kill_after or stop_after) and _stop(out, kill_after, stop_after):
            os.killpg(process.pid, signal.SIGKILL)
        time.sleep(0.1)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, -signal.SIGKILL):
        raise SystemExit(f"batch failed ({process.returncode}): {stderr[-2000:]}")
    return Measure(n, workers, time.perf_counter() - start, peak_driver / 2**20, peak_tree / 2**20,
                   sum(cpu.values()))


def _stop(out: Path, share: float | None, count: int | None) -> bool:
    try:
        manifest = json.loads((out / "manifest.json").read_text())
        done, total = len(manifest["done"]), manifest["partitions"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not total:
        return False
    return done >= count if count is not None else done / total >= (share or 1.0)


def fresh(out: Path) -> Path:
    subprocess.run(["rm", "-rf", str(out)], check=True)
    return out


def benchmark(sizes: list[int], workers: list[int], tier: str, stop_after: int | None = None) -> list[Measure]:
    results = []
    for n in sizes:
        corpus(n)
        for count in workers:
            out = fresh(VAR / f"out-{tier}-{n}-w{count}.parquet")
            measure = run_measured(batch_command(n, out, "--workers", str(count), tier=tier), n, count,
                                   out=out, stop_after=stop_after)
            if stop_after:  # a memory probe: the whole input staged, then this many partitions analysed
                print(f"{n:>9,} comments  {count} worker(s)  stopped after {stop_after} partitions, "
                      f"{measure.seconds:.1f} s  driver {measure.driver_rss_mb:.0f} MB  all processes "
                      f"{measure.tree_rss_mb:.0f} MB  load {os.getloadavg()[0]:.1f}", flush=True)
                continue
            print(f"{n:>9,} comments  {count} worker(s)  {measure.seconds:7.1f} s  {measure.rate:7.1f} comments/s  "
                  f"driver {measure.driver_rss_mb:6.0f} MB  all processes {measure.tree_rss_mb:6.0f} MB  "
                  f"CPU {measure.cpu_seconds:6.0f} s  load {os.getloadavg()[0]:.1f}", flush=True)
            results.append(measure)
    return results


def same_output(a: Path, b: Path) -> bool:
    return all(ds.dataset(a / t).to_table().equals(ds.dataset(b / t).to_table()) for t in ("findings", "comments"))


def verify_dask(n: int) -> None:
    from distributed import LocalCluster

    reference = VAR / f"out-fast-{n}-w2.parquet"
    manifest = reference / "manifest.json"
    if not manifest.is_file() or not json.loads(manifest.read_text())["complete"]:
        local = run_measured(batch_command(n, fresh(reference), "--workers", "2"), n, 2)
        print(f"local, 2 worker processes: {local.seconds:.1f} s, {local.rate:.1f} comments/s, driver "
              f"{local.driver_rss_mb:.0f} MB, all processes {local.tree_rss_mb:.0f} MB, CPU {local.cpu_seconds:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = fresh(VAR / f"out-fast-{n}-dask.parquet")
        measure = run_measured(batch_command(n, out, "--scheduler", cluster.scheduler_address), n, 2)
        print(f"dask LocalCluster (2 workers): {measure.seconds:.1f} s, {measure.rate:.1f} comments/s, load "
              f"{os.getloadavg()[0]:.1f}; "
              f"same rows as the local run: {same_output(reference, out)}", flush=True)
    killed = fresh(VAR / f"out-fast-{n}-killed.parquet")
    run_measured(batch_command(n, killed, "--workers", "2"), n, 2, kill_after=1 / 3, out=killed)
    done = json.loads((killed / "manifest.json").read_text())
    print(f"killed with {len(done['done'])} of {done['partitions']} partitions done", flush=True)
    run_measured(batch_command(n, killed, "--workers", "2", "--resume"), n, 2)
    print(f"resumed: same rows as the uninterrupted run: {same_output(reference, killed)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tier", default="fast")
    parser.add_argument("--verify-dask", type=int, metavar="N")
    parser.add_argument("--stop-after", type=int, metavar="P", help="memory probe: kill after P partitions")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {date.today()}")
    if args.verify_dask:
        verify_dask(args.verify_dask)
        return
    results = benchmark(args.sizes, args.workers, args.tier, args.stop_after)
    if args.markdown:
        print("\n| comments | workers | seconds | comments/s | CPU s | driver peak RSS (MB) | all processes (MB) |")
        print("|---|---|---|---|---|---|---|")
        for m in results:
            print(f"| {m.comments:,} | {m.workers} | {m.seconds:.1f} | {m.rate:.1f} | {m.cpu_seconds:.0f} | "
                  f"{m.driver_rss_mb:.0f} | {m.tree_rss_mb:.0f} |")


if __name__ == "__main__":
    main()

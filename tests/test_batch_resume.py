"""Kill ``threadwise batch`` for real (SIGKILL to its process group) and resume: the same output as one clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_batch_runners import read_all, write_corpus
from threadwise.batch import BatchOptions, run_batch
from threadwise.batch.errors import OutputExists

PARTITION = 40


def start_batch(comments: Path, articles: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "threadwise", "batch", str(comments), "--articles", str(articles), "-o", str(out),
               "--partition-size", str(PARTITION), "--workers", "2"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def done_partitions(out: Path) -> list[int] | None:
    try:
        return list(json.loads((out / "manifest.json").read_text())["done"])
    except (OSError, ValueError):
        return None  # not written yet (or being replaced)


def kill_when(process: subprocess.Popen[bytes], out: Path, partitions_done: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        done = done_partitions(out)
        if done is not None and len(done) >= partitions_done:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the driver and its worker processes, mid-write or not
    process.wait()


def test_a_run_still_going_is_not_resumed_beside_it(tmp_path: Path) -> None:
    comments, articles = write_corpus(tmp_path, 1200)
    out = tmp_path / "live.parquet"
    process = start_batch(comments, articles, out)
    try:
        deadline = time.monotonic() + 300
        while done_partitions(out) is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before the check"
        with pytest.raises(OutputExists, match=rf"being written by a run still going \(pid {process.pid}\)"):
            run_batch([str(comments)], out, articles=[str(articles)],
                      options=BatchOptions(partition_size=PARTITION, resume=True))
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("partitions_done", [0, 4])
def test_batch_killed_and_resumed_gives_the_output_of_an_uninterrupted_run(tmp_path: Path,
                                                                           partitions_done: int) -> None:
    comments, articles = write_corpus(tmp_path, 1200)
    run_batch([str(comments)], tmp_path / "clean", articles=[str(articles)],
              options=BatchOptions(partition_size=PARTITION))
    out = tmp_path / "killed.parquet"
    process = start_batch(comments, articles, out)
    kill_when(process, out, partitions_done)
    assert process.returncode == -signal.SIGKILL, "the run was still going when killed"
    done = done_partitions(out) or []
    assert len(done) < 30, "killed before the end"
    summary = run_batch([str(comments)], out, articles=[str(articles)],
                        options=BatchOptions(partition_size=PARTITION, resume=True))
    assert summary.partitions == 30 and summary.partitions_run == 30 - len(done)
    clean, resumed = read_all(tmp_path / "clean"), read_all(out)
    assert resumed["comments"].num_rows == 1200
    assert resumed["findings"].equals(clean["findings"]) and resumed["comments"].equals(clean["comments"])
    assert sorted(p.name for p in (out / "findings").iterdir()) == [f"part-{i:05d}.parquet" for i in range(30)]

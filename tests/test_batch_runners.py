"""The runners give the same output row for row: one process, worker processes, a Dask LocalCluster."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import dask
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from distributed import LocalCluster

from threadwise.batch import BatchOptions, run_batch
from threadwise.batch.errors import SchedulerUnavailable

PARAGRAPHS = [
    "The council voted on Tuesday to close the old library and sell the building to a developer.",
    "Residents said the decision was taken without a public hearing, which the mayor denied.",
    "A new library will open in 2028, according to the plan approved by the council.",
]
SAYINGS = [
    "The council voted on Tuesday to close the old library, and nobody asked us.",
    "What a bunch of idiots running this town, honestly.",
    "I think the new library is a good plan if it really opens in 2028.",
    "Shut up, you clown, you know nothing about this city.",
    "Residents said the decision was taken without a public hearing. That is true.",
    "Where will the children study in the meantime? Has anyone thought about that?",
    "Thanks for the balanced reporting.",
    "This mayor is a liar and a crook.",
]


def write_corpus(folder: Path, n: int, thread_size: int = 20, seed: int = 7) -> tuple[Path, Path]:
    """``n`` comments in threads of ``thread_size`` (replies, quotes, insults), one thread in 4 without article."""
    rng = random.Random(seed)
    comments, articles = folder / "comments.jsonl", folder / "articles.jsonl"
    with open(comments, "w", encoding="utf-8") as handle:
        for i in range(n):
            thread, position = divmod(i, thread_size)
            parent = rng.randrange(position) if position and rng.random() < 0.3 else None
            text = f"{rng.choice(SAYINGS)} {rng.choice(SAYINGS)} ({i})"
            handle.write(json.dumps({"id": position, "thread_id": f"t{thread}", "text": text,
                                     "parent_id": parent}) + "\n")
    with open(articles, "w", encoding="utf-8") as handle:
        for thread in range(0, -(-n // thread_size), 1):
            if thread % 4 != 3:
                handle.write(json.dumps({"id": f"t{thread}", "title": "Library", "paragraphs": PARAGRAPHS}) + "\n")
    return comments, articles


def read_all(out: Path) -> dict[str, pa.Table]:
    return {t: ds.dataset(out / t, format="parquet").to_table() for t in ("findings", "comments")}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        yield running


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"), 400)


@pytest.fixture(scope="module")
def local_fast(corpus: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    out = tmp_path_factory.mktemp("local") / "out.parquet"
    run_batch([str(corpus[0])], out, articles=[str(corpus[1])], options=BatchOptions(partition_size=50))
    return read_all(out)


def test_batch_fast_corpus_has_findings_of_every_kind(local_fast: dict[str, pa.Table]) -> None:
    labels = set(local_fast["findings"].column("label").to_pylist())
    assert {"toxicity", "insult", "quotes_article", "quotes_parent"} <= labels
    assert local_fast["comments"].num_rows == 400


def test_batch_two_worker_processes_match_one(corpus: tuple[Path, Path], local_fast: dict[str, pa.Table],
                                              tmp_path: Path) -> None:
    run_batch([str(corpus[0])], tmp_path / "out", articles=[str(corpus[1])],
              options=BatchOptions(partition_size=50, workers=2))
    tables = read_all(tmp_path / "out")
    assert tables["findings"].equals(local_fast["findings"]) and tables["comments"].equals(local_fast["comments"])


def test_batch_on_a_dask_cluster_matches_the_local_run(corpus: tuple[Path, Path], local_fast: dict[str, pa.Table],
                                                       cluster: LocalCluster, tmp_path: Path) -> None:
    run_batch([str(corpus[0])], tmp_path / "out", articles=[str(corpus[1])],
              options=BatchOptions(partition_size=50, scheduler=cluster.scheduler_address))
    tables = read_all(tmp_path / "out")
    assert tables["findings"].equals(local_fast["findings"]) and tables["comments"].equals(local_fast["comments"])


def test_batch_full_tier_on_dask_matches_the_local_run(cluster: LocalCluster, tmp_path: Path) -> None:
    comments, articles = write_corpus(tmp_path, 24, thread_size=8)
    options = BatchOptions(tier="full", partition_size=8)
    run_batch([str(comments)], tmp_path / "local", articles=[str(articles)], options=options)
    on_dask = BatchOptions(tier="full", partition_size=8, scheduler=cluster.scheduler_address)
    run_batch([str(comments)], tmp_path / "dask", articles=[str(articles)], options=on_dask)
    local, remote = read_all(tmp_path / "local"), read_all(tmp_path / "dask")
    analysers = set(local["findings"].column("analyser").to_pylist())
    assert {"toxicity", "persuasion", "stance", "constructive", "quotes"} <= analysers
    assert set(local["comments"].column("tier").to_pylist()) == {"full"}
    assert remote["findings"].equals(local["findings"]) and remote["comments"].equals(local["comments"])


def test_batch_refuses_an_unreachable_scheduler(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(SchedulerUnavailable) as caught:
        run_batch([str(corpus[0])], tmp_path / "out", options=BatchOptions(scheduler="tcp://127.0.0.1:9"))
    assert caught.value.code == "TW-E115" and caught.value.source == "tcp://127.0.0.1:9"


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_progress_advances_within_a_partition(corpus: tuple[Path, Path], local_fast: dict[str, pa.Table],
                                                     tmp_path: Path, workers: int) -> None:
    """Progress moves after each small batch of comments, not only when a 200-comment partition is written."""
    seen: list[int] = []
    out = tmp_path / "out.parquet"
    run_batch([str(corpus[0])], out, articles=[str(corpus[1])], options=BatchOptions(partition_size=200,
              workers=workers), on_progress=lambda phase, done, total: seen.append(done) if phase == "analysing"
              else None)  # fmt: skip
    assert seen[0] == 0 and seen[-1] == 400 and seen == sorted(seen)
    inside = [n for n in seen if n % 200]
    assert inside, f"progress only at partition ends: {seen}"
    assert min(inside) <= 64  # the pipeline's batch: the first report comes after 64 comments at most
    again = read_all(out)  # reporting changes nothing in the output
    assert again["findings"].num_rows == local_fast["findings"].num_rows

"""Bounded load test of the HTTP API on loopback (issue 4's benchmark).

Starts a real ``threadwise serve`` in a subprocess (SQLite in a temporary folder), sends REQUESTS
requests with CONCURRENCY in flight, and reports p50/p95/p99 latency and throughput per endpoint:

- ``perspective-fast``: POST /v1alpha1/comments:analyze, fast toxicity tier (text-only heads);
- ``perspective-accurate``: the same with ``--accurate`` (MiniLM embedding per comment);
- ``premoderate-fast``: POST /v1/threads/{id}/comments, one new comment pre-moderated and stored (word
  lists, the default policy, the analysers it reads in the fast tier), in the bundled example thread;
- ``premoderate-accurate``: the same with ``--accurate`` (every analyser, MiniLM included).

Comment texts: Civil Comments toxic-spans comments (docs/DATA.md), cycled.

    .venv/bin/python benchmarks/bench_api.py [--requests 2000] [--concurrency 8] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gzip
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from threadwise.store import Store
from threadwise.train import shared_data_dir

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Result:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def row(self) -> str:
        return (
            f"| {self.endpoint} | {self.requests:,} | {self.errors} | {self.percentile(50):.1f} | "
            f"{self.percentile(95):.1f} | {self.percentile(99):.1f} | {self.requests / self.seconds:.0f} |"
        )


def comments(n: int) -> list[str]:
    path = shared_data_dir() / "toxic_spans_civil_comments" / "full_annotations" / "comments.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        texts = [row["comment_text"] for _, row in zip(range(n), csv.DictReader(handle), strict=False)]
    return texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A real server in a subprocess; yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "threadwise"), "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise RuntimeError("server did not start within 120 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]  # request i of a run, sent on the client


async def load(base: str, endpoint: str, send: Send, n: int, concurrency: int, *,
               headers: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """``n`` requests with ``concurrency`` in flight after 20 uncounted warm-up ones. A request that times out or
    whose connection breaks counts as an error, at the time it waited (a client would have given up then)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            start = time.perf_counter()
            try:
                errors += (await send(client, i)).status_code >= 400
            except httpx.TransportError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    async with httpx.AsyncClient(base_url=base, timeout=timeout, headers=headers, follow_redirects=False) as client:
        for i in range(min(20, n)):
            await send(client, i)
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        seconds = time.perf_counter() - start
    return Result(endpoint, n, errors, seconds, latencies)


def json_posts(make: Callable[[int], tuple[str, dict]]) -> Send:
    """Sends request i as the JSON body ``make(i)`` gives, to its path."""
    def send(client: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
        path, body = make(i)
        return client.post(path, json=body)

    return send


def ingest_example(db: str) -> str:
    """Store the bundled example thread; its id."""
    example = Path(__file__).resolve().parents[1] / "examples" / "op-ed-ceasefire.txt"
    subprocess.run([str(BIN / "threadwise"), "ingest", str(example), "--db", db], check=True, capture_output=True)
    with Store.open(db) as store:
        (summary,) = store.list_threads()
        return summary.id


def new_key(db: str) -> str:
    out = subprocess.run([str(BIN / "threadwise"), "keys", "create", "--role", "admin", "--name", "bench", "--db", db],
                         check=True, capture_output=True, text=True).stdout
    return out.split()[-1]


def premoderate_request(texts: list[str], thread_id: str) -> Callable[[int], tuple[str, dict]]:
    def make(i: int) -> tuple[str, dict]:
        return f"/v1/threads/{thread_id}/comments", {"text": texts[i % len(texts)], "author": f"reader{i % 50}"}

    return make


def perspective_request(texts: list[str]) -> Callable[[int], tuple[str, dict]]:
    attributes = {a: {} for a in ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK")}

    def make(i: int) -> tuple[str, dict]:
        body = {"comment": {"text": texts[i % len(texts)]}, "requestedAttributes": attributes,
                "spanAnnotations": True, "doNotStore": True}
        return "/v1alpha1/comments:analyze", body

    return make


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--accurate-requests", type=int, default=500, help="fewer: the accurate tier is slow")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    texts = comments(500)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        thread_id = ingest_example(db)
        headers = {"X-API-Key": new_key(db)}
        for tier, n in (("fast", args.requests), ("accurate", args.accurate_requests)):
            with server("--db", db, f"--{tier}", "--rate-per-minute", "0") as base:
                for name, make in (("perspective", perspective_request(texts)),
                                   ("premoderate", premoderate_request(texts, thread_id))):
                    results.append(asyncio.run(load(base, f"{name}-{tier}", json_posts(make), n, args.concurrency,
                                                     headers=headers)))
    load_avg = os.getloadavg()[0]
    print(f"# API load test — {date.today()} — {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.concurrency} concurrent, load average before {load_avg:.1f}")
    print("| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | requests/s |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print(f"(mean latency {statistics.fmean(results[0].latencies_ms):.1f} ms, Perspective route, fast tier)")


if __name__ == "__main__":
    main()

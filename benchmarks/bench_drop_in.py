"""Bounded load test of what Coral sends, beside Coral's own time budgets (issue 12's benchmark).

Starts a real ``threadwise serve --fast`` (SQLite in a temporary folder), then with CONCURRENCY clients in
flight sends REQUESTS requests of each kind, as Coral sends them:

- ``perspective (Coral)``: POST /comments:analyze?key=… (the endpoint without /v1alpha1), Coral's body
  (one model, TOXICITY, ``languages: ["en"]``); Coral waits 800 ms, then publishes unscored;
- ``Coral phase``: POST /coral/moderate, a signed external-moderation request; Coral's admin form
  defaults the phase's timeout to 200 ms. The server runs with ``--coral-budget 2`` so the latencies
  measured are the work itself, not a cut-off.

Reports p50/p95/p99, throughput, and the share of requests over Coral's budget (a request
unanswered after 10 s, or whose connection broke, counts as an error at the time it waited).

    .venv/bin/python benchmarks/bench_drop_in.py [--requests 1000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import Send, comments, load, new_key, server

from threadwise.api.coral import coral_signature

SECRET = "bench-coral-secret"
Request = tuple[str, bytes, dict[str, str]]


def coral_analyze(texts: list[str], key: str) -> Callable[[int], Request]:
    def make(i: int) -> Request:
        body = {"comment": {"text": texts[i % len(texts)]}, "doNotStore": True,
                "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}  # fmt: skip
        return f"/comments:analyze?key={key}", json.dumps(body).encode(), {"User-Agent": "Coral Perspective/9.5.0"}

    return make


def coral_phase(texts: list[str]) -> Callable[[int], Request]:
    def make(i: int) -> Request:
        body = json.dumps({"action": "NEW", "comment": {"body": texts[i % len(texts)], "parentID": None},
                           "author": {"id": f"user-{i % 50}", "role": "COMMENTER"},
                           "story": {"id": "story-1", "url": "https://news.example/story"},
                           "site": {"id": "site-1"}, "tenantID": "t", "tenantDomain": "news.example"}).encode()
        return "/coral/moderate", body, {"X-Coral-Signature": coral_signature(body, [SECRET])}

    return make


def raw_posts(make: Callable[[int], Request]) -> Send:
    """Sends request i as the exact bytes and headers ``make(i)`` gives, as Coral's client does."""
    def send(client: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
        path, content, headers = make(i)
        return client.post(path, content=content, headers={"Content-Type": "application/json", **headers})

    return send


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    texts = comments(500)
    print(f"# Coral drop-in load test — {date.today()} — {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.concurrency} concurrent, load average {os.getloadavg()[0]:.1f}")
    print("| route | requests | errors | p50 ms | p95 ms | p99 ms | requests/s | Coral's budget | over budget |")
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        key = new_key(db)
        with server("--db", db, "--fast", "--rate-per-minute", "0", "--coral-budget", "2",
                    env={"THREADWISE_CORAL_SECRETS": SECRET}) as base:  # fmt: skip
            for name, make, budget in (("perspective (Coral)", coral_analyze(texts, key), 800.0),
                                       ("Coral phase", coral_phase(texts), 200.0)):
                result = asyncio.run(load(base, name, raw_posts(make), args.requests, args.concurrency, timeout=10))
                over = sum(ms > budget for ms in result.latencies_ms) / len(result.latencies_ms)
                print(f"{result.row()} {budget:.0f} ms | {over:.1%} |", flush=True)  # each row as it is measured


if __name__ == "__main__":
    main()

"""The report of a stored thread: stored findings and decisions, the CLI command and the web route."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.cli import app as cli_app
from threadwise.model import Article, Comment, Finding, Run, Span, Thread
from threadwise.report import build_report
from threadwise.report.source import stored_inputs
from threadwise.store import DecisionRequest, Store

RUN = Run(id="run-1", kind="analyse", started_at=datetime(2026, 1, 1, tzinfo=UTC))


def stored_thread() -> tuple[Thread, list[Finding]]:
    article = Article(id="report-t1", title="On bridges", author="Ann Author", outlet="The Paper",
                      paragraphs=("The bridge cost 10 million.", "It opened in May."))
    texts = ["The bridge cost 40 million, not 10.", "Lovely bridge, well done.", "You are an idiot, Ann.",
             "Why May and not June?"]
    comments = tuple(Comment(id=f"rc{i}", thread_id=article.id, text=t, position=i, number=str(2 * i + 1))
                     for i, t in enumerate(texts))
    findings = [
        Finding("rc0", "stance", "1.0", "deny", 0.8, run_id=RUN.id),
        Finding("rc0", "claims", "1.0.0", "check_worthy_claim", 0.9, spans=(Span(0, 35, "claim"),), run_id=RUN.id,
                detail={"article_sentence": "The bridge cost 10 million.", "article_span": [0, 27],
                        "relation": "disputes", "similarity": 0.8}),
        Finding("rc1", "stance", "1.0", "support", 0.9, run_id=RUN.id),
        Finding("rc2", "stance", "1.0", "support", 0.6, run_id=RUN.id),
        Finding("rc2", "toxicity", "1", "toxicity", 0.9, spans=(Span(11, 16, "insult"),), run_id=RUN.id),
        Finding("rc2", "toxicity", "1", "insult", 0.85, spans=(Span(11, 16, "insult"),), run_id=RUN.id),
        Finding("rc2", "target", "1.1", "author", 0.7, spans=(Span(18, 21, "target"),), run_id=RUN.id),
        Finding("rc3", "stance", "1.0", "query", 0.7, run_id=RUN.id),
    ]
    return Thread(article, comments), findings


def save(store: Store) -> Thread:
    thread, findings = stored_thread()
    store.save_thread(thread)
    store.save_run(RUN)
    store.add_findings(findings)
    store.append_decisions([DecisionRequest("rc2", "reject", "moderator", "insult"),
                            DecisionRequest("rc1", "approve", "moderator")])
    return thread


def test_stored_report_uses_stored_findings_and_decisions(store: Store) -> None:
    thread = save(store)
    inputs = stored_inputs(store, thread.id[:8])
    assert {f.run_id for f in inputs.findings} == {RUN.id}  # read, not analysed afresh
    report = build_report(inputs)
    support = next(g for g in report.neutrality["groups"] if g["stance"] == "support")
    assert (support["comments"], support["decided"], support["held"], support["flagged"]) == (2, 2, 1, 1)
    assert report.paragraphs[0].disputed == 1 and report.claims[0].link == "analyser"
    assert report.glance.targets == {"author": 1}
    assert [c.number for c in report.comments] == ["1", "3", "5", "7"]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    with Store.open(url) as store:
        save(store)
    yield url


def test_cli_report_writes_json_for_a_stored_thread(db: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli_app, ["report", "report", "--db", db, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["article"]["title"] == "On bridges" and len(data["comments"]) == 4


def test_web_route_serves_the_report_page_and_json(db: str) -> None:
    with Store.open(db) as store:
        key, _ = create_key(store, "read-only")
    with TestClient(create_app(ApiSettings(db=db, rate_per_minute=0))) as client:
        page = client.get("/threads/report-t1/report", params={"key": key})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'id="sec-neutrality"' in page.text and "On bridges" in page.text
        policy = page.headers["content-security-policy"]  # nothing loads; only the page's own script runs
        script = re.search(r"<script>(.*?)</script>", page.text, re.S).group(1)  # type: ignore[union-attr]
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert policy.startswith("default-src 'none'; ") and f"script-src 'sha256-{digest}';" in policy
        data = client.get("/threads/report-t1/report", params={"format": "json"},
                          headers={"Authorization": f"Bearer {key}"})
        assert data.status_code == 200 and data.json()["thread_id"] == "report-t1"
        assert client.get("/threads/report-t1/report").status_code == 401
        missing = client.get("/threads/nothing-here/report", params={"key": key})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "TW-E021"
        bad = client.get("/threads/report-t1/report", params={"key": key, "format": "pdf"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "TW-E101"

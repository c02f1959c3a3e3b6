"""The operator's routes on the real app: /health (liveness, readiness) and /metrics (Prometheus).

The metrics are read back with prometheus-client's own parser, as a Prometheus server would read them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import create_key
from threadwise.model import Article, Comment, Thread


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = f"sqlite:///{tmp_path_factory.mktemp('ops') / 'ops.db'}"
    with TestClient(create_app(ApiSettings(db=db, rate_per_minute=0))) as test_client:
        yield test_client


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}  # fmt: skip


def test_health_is_live_and_ready_with_the_store_and_models(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["checks"]["store"]["ok"] and body["checks"]["models"]["ok"]
    assert "toxicity" in body["checks"]["models"]["detail"]
    assert client.get("/health/ready").json() == body


def test_the_servers_address_leads_to_the_queue_not_a_json_404(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/ui/queue"


def test_health_is_not_ready_before_the_models_load(tmp_path: Path) -> None:
    app = create_app(ApiSettings(db=f"sqlite:///{tmp_path / 'cold.db'}"))
    cold = TestClient(app)  # no `with`: the lifespan has not run, nothing is loaded
    assert cold.get("/health/live").status_code == 200
    answer = cold.get("/health")
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
    assert answer.json()["checks"]["models"] == {"ok": False, "detail": "the models are still loading"}


def test_metrics_count_requests_per_route_template_and_read_the_queues(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    article = Article(id="ops-thread", title="t")
    store.save_thread(Thread(article, (Comment(id="ops-c1", thread_id="ops-thread", text="hello", position=0),)))
    key = create_key(store, "read-only", "ops")[0]
    before = samples(client)
    for comment_id in ("ops-c1", "nope"):
        client.get(f"/v1/comments/{comment_id}", headers={"Authorization": f"Bearer {key}"})
    after = samples(client)
    route = "/v1/comments/{comment_id}"

    def count(status: str, taken: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
        labels = (("method", "GET"), ("route", route), ("status", status))
        return taken.get(("threadwise_http_requests_total", labels), 0.0)

    assert count("200", after) - count("200", before) == 1 and count("404", after) - count("404", before) == 1
    assert not any("ops-c1" in str(labels) for _, labels in after)  # templates, never raw paths
    latency = after[("threadwise_http_request_duration_seconds_count", (("method", "GET"), ("route", route)))]
    assert latency >= 2
    assert after[("threadwise_queue_size", (("state", "pending"),))] >= 1
    assert ("threadwise_webhook_backlog", (("status", "pending"),)) in after
    assert any(name == "threadwise_model_info" and dict(labels)["analyser"] == "toxicity" for name, labels in after)

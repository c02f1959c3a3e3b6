"""For the operator: ``/health`` (liveness and readiness) and ``/metrics`` (Prometheus).

``/health/live`` answers while the process serves requests at all; ``/health`` (= ``/health/ready``)
says whether it can do its work: the store answers a query and the models are loaded. A load balancer
routes on readiness (503 until the lifespan has loaded the models, or while the database is away).

``/metrics`` is the Prometheus text format, from the app's own registry (two apps in one process never
share counters): requests and latency per route template (never per raw path, which would grow without
bound), and, read from the store at each scrape, the queue sizes, the webhook backlog and the loaded
model versions. It carries no comment text and no key; expose it to the monitoring network only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(tags=["operations"])
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@router.get("/health/live", summary="Liveness: the process is serving")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health", summary="Readiness: the store answers and the models are loaded",
    responses={503: {"description": "Not ready: the failing check says why."}},
)  # fmt: skip
@router.get("/health/ready", include_in_schema=False)
def ready(request: Request) -> JSONResponse:
    checks = {"store": _store_check(request.app), "models": _models_check(request.app)}
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}})
def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _store_check(app: FastAPI) -> dict[str, Any]:
    store = getattr(app.state, "store", None)
    if store is None:
        return {"ok": False, "detail": "the store is not open yet"}
    try:
        with store.engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.SQLAlchemyError as error:
        return {"ok": False, "detail": f"the database does not answer: {str(error).splitlines()[0]}"}
    return {"ok": True, "detail": store.url}


def _models_check(app: FastAPI) -> dict[str, Any]:
    versions = model_versions(app)
    if not versions:
        return {"ok": False, "detail": "the models are still loading"}
    return {"ok": True, "detail": versions}


def model_versions(app: FastAPI) -> dict[str, str]:
    """The loaded analysers' versions (empty until the lifespan has loaded them)."""
    moderator = getattr(app.state, "moderator", None)
    if moderator is None or getattr(app.state, "scorer", None) is None:
        return {}
    return {a.name: a.version for a in moderator.pipeline.analysers}


# --- metrics ---------------------------------------------------------------------------------------------


class Metrics:
    """The app's registry: request counters and latency histograms, and the store-read gauges."""

    def __init__(self, app: FastAPI) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("threadwise_http_requests", "HTTP requests answered, by route template and status.",
                                ("method", "route", "status"), registry=self.registry)  # fmt: skip
        self.latency = Histogram("threadwise_http_request_duration_seconds", "Time to answer, by route template.",
                                 ("method", "route"), buckets=LATENCY_BUCKETS, registry=self.registry)  # fmt: skip
        self.registry.register(StoreCollector(app))


class StoreCollector(Collector):
    """Read at each scrape: queue sizes, webhook backlog, loaded model versions."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        store = getattr(self.app.state, "store", None)
        versions = InfoMetricFamily("threadwise_model", "A loaded analyser and its version.", labels=["analyser"])
        for name, version in model_versions(self.app).items():
            versions.add_metric([name], {"version": version})
        yield versions
        if store is None:
            return
        queues = GaugeMetricFamily("threadwise_queue_size", "Comments in each moderation queue.", labels=["state"])
        for state, count in store.queue_counts().items():
            queues.add_metric([state], count)
        yield queues
        backlog = GaugeMetricFamily("threadwise_webhook_backlog", "Webhook deliveries not yet delivered.",
                                    labels=["status"])  # fmt: skip
        for status in ("pending", "failed"):
            backlog.add_metric([status], len(store.webhook_deliveries(status, limit=None)))
        yield backlog


class RequestMetrics:
    """ASGI middleware: counts each answered request and times it, labelled by the matched route's template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


def install_operations(app: FastAPI) -> None:
    """Add /health and /metrics, and the middleware that feeds the request metrics."""
    app.state.metrics = Metrics(app)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.include_router(router)

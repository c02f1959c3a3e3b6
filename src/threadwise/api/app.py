"""The FastAPI application: ``create_app(settings)`` builds it; importing this module does no I/O.

Models load once per app, in the lifespan (at server start), never per request and never on import,
so ``threadwise --help`` stays fast and a test can build as many apps as it likes. The lifespan also
opens the one store, the rate limiter and the webhook sender the routes share (``app.state``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from threadwise import __version__
from threadwise.api import coral, feedback_routes, perspective, routes
from threadwise.api.auth import FAILURE_BURST, FAILURES_PER_MINUTE, RateLimiter
from threadwise.api.errors import install_error_handlers
from threadwise.api.language_scoring import multilingual_scorer
from threadwise.api.log_redaction import install_key_redaction
from threadwise.api.moderator import Moderator
from threadwise.api.openapi_doc import install_openapi
from threadwise.api.operations import install_operations
from threadwise.api.perspective_errors import PerspectiveError, on_perspective_error
from threadwise.api.scoring import CommentScorer
from threadwise.api.webhooks import WebhookSender
from threadwise.report import routes as report_routes
from threadwise.settings import get_setting
from threadwise.store import Store
from threadwise.web import install_web

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 50 times Perspective's 20 KB comment limit; pages come by upload later


@dataclass(frozen=True)
class ApiSettings:
    """What one server runs with.

    ``db``: the store (default: the ``db`` setting). ``accurate`` picks the tier: False (fast) pre-moderates with
    only the analysers the policy reads; True runs every analyser (findings for moderators beyond the policy).
    Both score toxicity with the conduct model.
    ``open_perspective``: the Perspective route answers without a key (as a drop-in for a local
    Perspective). ``rate_per_minute``/``rate_burst``: each key's token bucket (0: no limit, and no limit on
    refused keys either). ``refused_per_minute``/``refused_burst``: each address's bucket of refused keys.
    ``policy``: the moderation policy file (default: the packaged one). ``coral_secrets``: Coral's
    signing secrets (none: the Coral route refuses every request); ``coral_budget_seconds``: how long
    the Coral route may take before it answers "no decision" rather than make Coral wait;
    ``coral_approve``: answer APPROVED for a comment the policy approves (default: no decision).
    ``webhook_urls``/``webhook_secrets``: where queue and decision events go and what signs them (the
    first secret is the newest; several sign during a rotation).
    """

    db: str | None = None
    accurate: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    open_perspective: bool = False
    rate_per_minute: float = 600.0
    rate_burst: int = 60
    refused_per_minute: float = FAILURES_PER_MINUTE
    refused_burst: int = FAILURE_BURST
    policy: str | None = None
    coral_secrets: tuple[str, ...] = ()
    coral_budget_seconds: float = 2.0
    coral_approve: bool = False
    webhook_urls: tuple[str, ...] = ()
    webhook_secrets: tuple[str, ...] = ()
    webhook_attempts: int = 5
    webhook_backoff_seconds: float = 1.0


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """A ready-to-serve app; its models load and its store opens when the server starts it (lifespan)."""
    settings = settings or ApiSettings()
    webhooks = WebhookSender(settings.webhook_urls, settings.webhook_secrets, attempts=settings.webhook_attempts,
                             backoff_seconds=settings.webhook_backoff_seconds)  # fmt: skip

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_key_redaction()  # here, after the server has set up its logging
        store = Store.open(get_setting("db", settings.db))
        try:
            app.state.store = store
            app.state.limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst)
            # Refused keys and sign-ins, per address; off with the rate limit (rate_per_minute 0).
            app.state.failures = RateLimiter(settings.refused_per_minute if settings.rate_per_minute else 0,
                                             settings.refused_burst)
            app.state.scorer = CommentScorer(accurate=settings.accurate).setup()
            multilingual_scorer()  # the Perspective route's other languages load now, not on the first request
            app.state.moderator = Moderator.load(settings.policy, accurate=settings.accurate)
            app.state.webhooks = webhooks.start(store)
            yield
        finally:
            webhooks.stop()
            store.close()

    app = FastAPI(
        title="threadwise",
        version=__version__,
        description="Explains news comments and helps moderate them on conduct; a self-hosted, "
        "Perspective-compatible toxicity scorer and a Coral external moderation phase.",
        lifespan=lifespan,
        # Some Perspective clients post JSON without a Content-Type; Perspective reads it all the same.
        strict_content_type=False,
    )
    app.state.settings = settings
    install_error_handlers(app, max_body_bytes=settings.max_body_bytes)
    install_operations(app)  # /health, /metrics; its middleware sits outside the error guards, so it sees 500s
    app.add_exception_handler(PerspectiveError, on_perspective_error)
    app.include_router(perspective.router)
    app.include_router(routes.router)
    app.include_router(feedback_routes.router)
    app.include_router(coral.router)
    # Other routers (the web UI's) are included below this line.
    install_web(app)  # the moderator UI under /ui, with its static files
    app.include_router(report_routes.router)  # the editor's thread report
    install_openapi(app)
    return app

"""The FastAPI application: ``create_app(settings)`` builds it; importing this module does no I/O.

Models load once per app, in the lifespan (at server start), never per request and never on import,
so ``threadwise --help`` stays fast and a test can build as many apps as it likes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from threadwise import __version__
from threadwise.api import perspective
from threadwise.api.errors import install_error_handlers
from threadwise.api.scoring import CommentScorer

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 50 times Perspective's 20 KB comment limit; pages come by upload later


@dataclass(frozen=True)
class ApiSettings:
    """What one server runs with.

    ``db`` is kept for the routes of later slices (queue, decisions); the Perspective route stores
    nothing. ``accurate`` picks the toxicity tier: False serves the fast text-only heads (the
    pre-moderation latency budget), True adds the MiniLM embedding (better scores, slower, loads torch).
    """

    db: str | None = None
    accurate: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """A ready-to-serve app; its models load when the server starts it (lifespan)."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.scorer = CommentScorer(accurate=settings.accurate).setup()
        yield

    app = FastAPI(
        title="threadwise",
        version=__version__,
        description="Explains news comments; a self-hosted, Perspective-compatible toxicity scorer.",
        lifespan=lifespan,
        # Some Perspective clients post JSON without a Content-Type; Perspective reads it all the same.
        strict_content_type=False,
    )
    app.state.settings = settings
    install_error_handlers(app, max_body_bytes=settings.max_body_bytes)
    app.add_exception_handler(perspective.PerspectiveError, perspective.on_perspective_error)
    app.include_router(perspective.router)
    return app

"""The moderator web UI (server-rendered, under /ui); ``install_web(app)`` adds it to the API's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from threadwise.web import commenter_routes
from threadwise.web.errors import WebError
from threadwise.web.routes import on_web_error, router
from threadwise.web.session import new_secret

STATIC = Path(__file__).resolve().parent / "static"


def install_web(app: FastAPI) -> None:
    """Routes, static files (htmx vendored, no CDN) and the session-signing secret."""
    app.state.web_secret = new_secret()
    app.add_exception_handler(WebError, on_web_error)
    app.include_router(router)
    app.include_router(commenter_routes.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    # Someone who opens the server's address in a browser wants the queue, not a JSON 404.
    app.add_api_route("/", lambda: RedirectResponse("/ui/queue", status_code=307), include_in_schema=False)

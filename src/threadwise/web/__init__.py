"""The moderator web UI (server-rendered, under /ui); ``install_web(app)`` adds it to the API's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from threadwise.web.errors import WebError
from threadwise.web.routes import on_web_error, router
from threadwise.web.session import new_secret

STATIC = Path(__file__).resolve().parent / "static"


def install_web(app: FastAPI) -> None:
    """Routes, static files (htmx vendored, no CDN) and the session-signing secret."""
    app.state.web_secret = new_secret()
    app.add_exception_handler(WebError, on_web_error)
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

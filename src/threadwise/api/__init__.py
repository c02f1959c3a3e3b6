"""The REST API: ``create_app(ApiSettings(...))`` gives the FastAPI app that ``threadwise serve`` runs.

The app is imported on first use, so that ``threadwise.api.auth`` (which the CLI's ``keys`` commands
use) does not load the analysers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from threadwise.api.app import ApiSettings, create_app

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from threadwise.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

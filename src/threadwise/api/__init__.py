"""The REST API: ``create_app(ApiSettings(...))`` gives the FastAPI app that ``threadwise serve`` runs."""

from __future__ import annotations

from threadwise.api.app import ApiSettings, create_app

__all__ = ["ApiSettings", "create_app"]

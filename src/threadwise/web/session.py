"""Signing in with an API key: a signed, HttpOnly, SameSite=Strict cookie holding the key's id, and CSRF checks.

The cookie never holds the key itself, only its id and a random CSRF token, signed with the server's
secret (``THREADWISE_UI_SECRET``, else a random one per process, which signs everyone out at restart).
Every request looks the key up again, so a revoked or expired key ends its sessions at once. Every form
post must carry the session's CSRF token and, when the browser sends an Origin, come from this site.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from threadwise.api.auth import Principal, authenticate_request
from threadwise.errors import ThreadwiseError
from threadwise.store import Store
from threadwise.web.errors import CsrfRefused, LoginRefused, NotSignedIn, RoleNotAllowed

COOKIE = "tw_session"
MAX_AGE_SECONDS = 12 * 3600  # one working day; sign in again after
UI_ROLES = ("moderator", "admin")
SECRET_ENV = "THREADWISE_UI_SECRET"


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str

    @property
    def actor(self) -> str:
        return self.principal.actor


def new_secret() -> str:
    return os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.web_secret, salt="threadwise-ui-session")


def sign_in(request: Request, raw_key: str) -> tuple[Principal, str]:
    """Check the key and its role; returns the principal and the cookie value to set."""
    try:
        principal = authenticate_request(request, raw_key)
    except ThreadwiseError as error:
        raise LoginRefused(f"that key does not sign in: {error.message}") from error
    if not principal.may(*UI_ROLES):
        raise RoleNotAllowed(f"key {principal.key_id} has the {principal.role} role", source=principal.key_id)
    token = _serializer(request).dumps({"kid": principal.key_id, "csrf": secrets.token_urlsafe(24)})
    return principal, token


def set_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(COOKIE, value, max_age=MAX_AGE_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/ui")  # fmt: skip


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


def current_session(request: Request, store: Store) -> Session:
    """The signed-in moderator, or NotSignedIn when the cookie is missing, forged, old or its key is gone."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        raise NotSignedIn("you are not signed in")
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE_SECONDS)
        key_id, csrf = str(data["kid"]), str(data["csrf"])
    except (BadSignature, KeyError, TypeError) as error:
        raise NotSignedIn("your session has ended or its cookie is not valid") from error
    record = next((k for k in store.list_api_keys() if k.id == key_id), None)
    if record is None or record.state(datetime.now(UTC)) != "active":
        raise NotSignedIn(f"the key {key_id} this session used is no longer active", source=key_id)
    principal = Principal(record.id, record.name, record.role)
    if not principal.may(*UI_ROLES):
        raise RoleNotAllowed(f"key {key_id} has the {principal.role} role", source=key_id)
    return Session(principal, csrf)


async def read_form(request: Request) -> dict[str, list[str]]:
    """The urlencoded body (what browsers and htmx send for these forms); refuses a cross-site post."""
    origin = request.headers.get("origin")
    # "null" is what sandboxed frames, data: pages and some redirects send: never this site's own form.
    if origin and (origin == "null" or urlsplit(origin).netloc != request.url.netloc):
        raise CsrfRefused(f"a form from {origin} cannot post to this site")
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def check_csrf(session: Session, form: dict[str, list[str]], request: Request) -> None:
    given = request.headers.get("x-csrf-token") or first(form, "csrf")
    if not given or not hmac.compare_digest(given, session.csrf):
        raise CsrfRefused("the form's security token is missing or does not match your session")


def first(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()

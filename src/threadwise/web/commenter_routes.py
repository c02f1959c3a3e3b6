"""The commenter (user) drawer: history, every stored comment, ban / suspend / premoderate / lift, notes.

The same page is a drawer beside the queue (htmx loads it into ``#drawer``) and a page of its own (without
JavaScript, or opened in a new tab). Acts on a commenter go through ``threadwise.standing``: appended, never
changed, each with who did it and why.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from threadwise.errors import ModerationError
from threadwise.moderation import MODERATOR_ACTIONS, author_open_items
from threadwise.standing import act_on_author, standing_of
from threadwise.store.standing import AUTHOR_ACTIONS
from threadwise.web import session as sessions
from threadwise.web.errors import InvalidForm
from threadwise.web.routes import AUDIT_LIMIT, FormBody, is_htmx, page, policy_of, store_of
from threadwise.web.session import check_csrf, first
from threadwise.web.views import ItemReader, reason_choices

router = APIRouter(prefix="/ui", include_in_schema=False)


def commenter_url(key: str) -> str:
    return f"/ui/commenter?{urlencode({'key': key})}"


@router.get("/commenter", response_class=HTMLResponse)
def commenter_page(request: Request, key: str) -> Response:
    """One commenter (by the source's account id, else the name within one thread): their standing and notes,
    history, every stored comment, and a bulk decision for the open ones, with the count to confirm."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    return commenter_response(request, session, key, error=None)


def commenter_response(request: Request, session: sessions.Session, key: str, error: ModerationError | None,
                       status: int = 200) -> Response:  # fmt: skip
    store, policy = store_of(request), policy_of(request)
    try:
        waiting = author_open_items(store, key)
    except ModerationError as refused:
        raise InvalidForm(refused.message, source=key, fix=refused.fix) from refused
    every = store.author_items(key, limit=AUDIT_LIMIT)
    if not every:
        raise InvalidForm(f"no stored comment is by {key!r}", source=key)
    reader = ItemReader(store, policy)
    # A drawer beside the queue (or one comment's page) gets a close button; the commenter's own page does not.
    in_drawer = is_htmx(request) and not urlsplit(request.headers.get("hx-current-url", "")).path.startswith(
        "/ui/commenter")
    return page(
        request, "_commenter.html" if is_htmx(request) else "commenter.html", status=status, session=session,
        key=key, who=every[-1].comment.author or "anonymous", history=store.author_history(key, reader.window),
        days=reader.window, every=every, waiting=waiting, reasons=reason_choices(policy), actions=MODERATOR_ACTIONS,
        next=commenter_url(key), standing=standing_of(store, key), author_actions=AUTHOR_ACTIONS, error=error,
        in_drawer=in_drawer,
    )  # fmt: skip


@router.post("/commenter/act", response_class=HTMLResponse)
def act(request: Request, form: FormBody) -> Response:
    """Ban, suspend, premoderate, lift or note a commenter; refusals come back beside the form."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    check_csrf(session, form, request)
    key, days = first(form, "key"), first(form, "days").strip()
    try:
        act_on_author(store, key, first(form, "action"), session.actor, first(form, "note"),
                      int(days) if days.isdigit() else None)  # fmt: skip
    except ModerationError as refused:
        return commenter_response(request, session, key, error=refused, status=409)
    if not is_htmx(request):
        return RedirectResponse(commenter_url(key), status_code=303)
    return commenter_response(request, session, key, error=None)

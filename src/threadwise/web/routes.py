"""The moderator web UI under /ui: sign in, the queue, decisions one by one or in bulk, audit log, policy.

Server-rendered (Jinja2, autoescape always on); htmx swaps a decided item in place, and every form
also works without JavaScript. Decisions go through ``threadwise.moderation`` like the API's, into the
same append-only audit log. Listing a queue claims nothing; the comment a moderator moves to is claimed
for a short while (queue.js posts to /claim on focus), so two moderators never work the same comment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from threadwise.api.webhooks import announce_decided
from threadwise.errors import CommentNotFound, ModerationError, ThreadwiseError
from threadwise.model import Decision
from threadwise.moderation import (
    MODERATOR_ACTIONS,
    audit_log,
    author_open_items,
    bulk_decide,
    decide,
    evidence_items,
    open_page,
)
from threadwise.policy import Policy, load_policy
from threadwise.statements import save_statement
from threadwise.store import STATES, Store
from threadwise.web import session as sessions
from threadwise.web.errors import InvalidForm, NotSignedIn, WebError
from threadwise.web.session import Session, check_csrf, first, read_form
from threadwise.web.views import OPEN_STATES, ItemReader, reason_choices

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 25
FOCUS_CLAIM_SECONDS = 120  # how long the comment a moderator moved to stays theirs; moving to it again refreshes it
AUDIT_LIMIT = 500
QUEUES = ("open", *STATES)

# autoescape on for every template, whatever its name: comment text is hostile input.
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                         undefined=jinja2.StrictUndefined)
templates = Jinja2Templates(env=ENV)
router = APIRouter(prefix="/ui", include_in_schema=False)


# --- plumbing ------------------------------------------------------------------------------------------


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def policy_of(request: Request) -> Policy:
    """The policy the server moderates with: the API's, else the one its settings name (loaded once)."""
    state = request.app.state
    policy = getattr(getattr(state, "moderator", None), "policy", None)
    if isinstance(policy, Policy):
        return policy
    if not hasattr(state, "web_policy"):
        state.web_policy = load_policy(getattr(state.settings, "policy", None))
    loaded: Policy = state.web_policy
    return loaded


# Defence in depth: even if some text escaped escaping, the browser would run no inline script from it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page(request: Request, name: str, status: int = 200, session: Session | None = None, **context: Any) -> Response:
    response = templates.TemplateResponse(request, name, {"session": session, **context}, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str) -> str:
    """Where to go after a form: only a page of this UI, never an outside address."""
    return value if value.startswith("/ui/") and not value.startswith("//") and "\\" not in value else "/ui/queue"


def announce(request: Request, store: Store, decisions: list[Decision]) -> None:
    """Send the decisions to the webhooks, as the API's decision routes do (never blocks: the sender queues)."""
    sender = getattr(request.app.state, "webhooks", None)
    if sender is not None:
        announce_decided(sender, store, decisions)


Form = dict[str, list[str]]
# Read in the event loop, so that the routes themselves can be plain functions: FastAPI runs those in its
# thread pool, and their database calls never hold up other requests.
FormBody = Annotated[Form, Depends(read_form)]


def reason_from(form: Form) -> str:
    return first(form, "reason_other") or first(form, "reason")


async def on_web_error(request: Request, error: Exception) -> Response:
    """Sign-in problems go to the login page; any other refusal is a page saying what and how to fix it."""
    assert isinstance(error, WebError)
    if isinstance(error, NotSignedIn) and request.method == "GET":
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/ui/login?" + urlencode({"next": wanted}), status_code=303)
    if isinstance(error, NotSignedIn) and is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": "/ui/login"})
    return page(request, "error.html", status=error.status, error=error)


# --- signing in ----------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/ui/queue", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/ui/queue") -> Response:
    return page(request, "login.html", next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: FormBody) -> Response:
    target = safe_next(first(form, "next"))
    try:
        _, cookie = sessions.sign_in(request, store_of(request), first(form, "key"))
    except WebError as error:
        return page(request, "login.html", status=error.status, next=target, error=error)
    response = RedirectResponse(target, status_code=303)
    sessions.set_cookie(request, response, cookie)
    return response


@router.post("/logout")
def logout(request: Request, form: FormBody) -> Response:
    session = sessions.current_session(request, store_of(request))
    check_csrf(session, form, request)
    response = RedirectResponse("/ui/login", status_code=303)
    sessions.clear_cookie(response)
    return response


# --- the queue -----------------------------------------------------------------------------------------


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, state: str = "open") -> Response:
    store = store_of(request)
    session = sessions.current_session(request, store)
    if state not in QUEUES:
        raise InvalidForm(f"no queue is called {state!r}", fix=f"the queues are {', '.join(QUEUES)}")
    states = OPEN_STATES if state == "open" else (state,)
    items, held = open_page(store, session.actor, states, PAGE_SIZE)
    policy = policy_of(request)
    return page(
        request, "queue.html", session=session, state=state, queues=QUEUES, counts=queue_counts(store), held=held,
        views=ItemReader(store, policy).views(items), reasons=reason_choices(policy), actions=MODERATOR_ACTIONS,
        next=f"/ui/queue?state={state}", error=None, just_decided=False,
    )  # fmt: skip


def queue_counts(store: Store) -> dict[str, int]:
    counts = store.queue_counts()
    counts["open"] = sum(counts[s] for s in OPEN_STATES)
    return counts


@router.post("/items/{comment_id}/claim")
def claim_item(request: Request, comment_id: str, form: FormBody) -> Response:
    """Claim the comment the moderator moved to, briefly: 204 when it is theirs, 409 when another holds it."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    check_csrf(session, form, request)
    try:
        mine = store.claim(comment_id, session.actor, FOCUS_CLAIM_SECONDS)
    except CommentNotFound as missing:
        raise InvalidForm(missing.message, source=comment_id) from missing
    return Response(status_code=204 if mine else 409)


@router.post("/items/{comment_id}/decision", response_class=HTMLResponse)
def decide_item(request: Request, comment_id: str, form: FormBody) -> Response:
    store = store_of(request)
    session = sessions.current_session(request, store)
    check_csrf(session, form, request)
    action = first(form, "action")
    error: ThreadwiseError | None = None
    try:
        decision = decide(store, comment_id, session.actor, action, reason_from(form))
    except CommentNotFound as missing:
        raise InvalidForm(missing.message, source=comment_id) from missing
    except ModerationError as refused:  # claimed by another, no reason for a rejection, unknown action
        error = refused
    else:
        announce(request, store, [decision])
    if not is_htmx(request):
        if error is not None:
            return page(request, "error.html", status=409, session=session, error=error)
        return RedirectResponse(safe_next(first(form, "next")), status_code=303)
    return item_fragment(request, session, comment_id, form, error, just_decided=error is None)


def item_fragment(
    request: Request, session: Session, comment_id: str, form: Form, error: ThreadwiseError | None,
    *, just_decided: bool,
) -> Response:  # fmt: skip
    """One item, re-rendered in place, with the queue counts swapped out of band so they never go stale."""
    store, policy = store_of(request), policy_of(request)
    view = ItemReader(store, policy).view(store.queue_item(comment_id))
    return page(
        request, "_item.html", status=200 if error is None else 409, session=session, v=view, error=error,
        reasons=reason_choices(policy), next=safe_next(first(form, "next")), just_decided=just_decided,
        counts=queue_counts(store), queues=QUEUES, state=first(form, "state") or "open", oob_counts=True,
    )  # fmt: skip


@router.post("/items/{comment_id}/statement", response_class=HTMLResponse)
def write_statement(request: Request, comment_id: str, form: FormBody) -> Response:
    """Save the (edited) statement of reasons, or send it to the commenter: appended, never overwritten."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    check_csrf(session, form, request)
    send = first(form, "send") == "1"
    error: ThreadwiseError | None = None
    try:
        made = save_statement(store, comment_id, first(form, "decision_id"), first(form, "text"), session.actor,
                              send=send)  # fmt: skip
    except CommentNotFound as missing:
        raise InvalidForm(missing.message, source=comment_id) from missing
    except ModerationError as refused:  # empty, or the comment was decided again meanwhile
        error = refused
    else:
        sender = getattr(request.app.state, "webhooks", None)
        if send and sender is not None:
            sender.emit("comment.statement_sent", {"comment_id": comment_id, "decision_id": made.decision_id,
                                                    "statement": made.text, "ground": made.ground})  # fmt: skip
    if not is_htmx(request):
        if error is not None:
            return page(request, "error.html", status=409, session=session, error=error)
        return RedirectResponse(safe_next(first(form, "next")), status_code=303)
    return item_fragment(request, session, comment_id, form, error, just_decided=False)


@router.post("/bulk", response_class=HTMLResponse)
def decide_in_bulk(request: Request, form: FormBody) -> Response:
    """The bulk bar's action and reason, for the selected comments or for every comment by one author."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    check_csrf(session, form, request)
    action, author = first(form, "action"), first(form, "author_key")
    ids = [i for i in form.get("ids", []) if i.strip()]
    if action not in MODERATOR_ACTIONS:
        raise InvalidForm("choose in the bulk bar what to do with the comments")
    if not ids and not author:
        raise InvalidForm("no comment is selected")
    try:
        if author:
            expected = first(form, "expected")
            if not expected.isdigit():
                raise InvalidForm("a decision for all of a commenter's comments needs the count confirmed",
                                  fix="open the commenter's page and confirm from there")  # fmt: skip
            made = bulk_decide(store, session.actor, action, reason_from(form), author_key=author,
                               expected=int(expected))  # fmt: skip
        else:
            made = bulk_decide(store, session.actor, action, reason_from(form), comment_ids=ids)
    except (ModerationError, CommentNotFound) as refused:
        return page(request, "error.html", status=409, session=session, error=refused)
    announce(request, store, made)
    return RedirectResponse(safe_next(first(form, "next")), status_code=303)


@router.get("/commenter", response_class=HTMLResponse)
def commenter_page(request: Request, key: str) -> Response:
    """One commenter (by the source's account id, else the name within one thread): their history, every
    stored comment, and a bulk decision for the open ones, with the count to confirm."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    policy = policy_of(request)
    try:
        waiting = author_open_items(store, key)
    except ModerationError as refused:
        raise InvalidForm(refused.message, source=key, fix=refused.fix) from refused
    every = store.author_items(key, limit=AUDIT_LIMIT)
    if not every:
        raise InvalidForm(f"no stored comment is by {key!r}", source=key)
    reader = ItemReader(store, policy)
    return page(
        request, "commenter.html", session=session, key=key, who=every[-1].comment.author or "anonymous",
        history=store.author_history(key, reader.window), days=reader.window, every=every, waiting=waiting,
        reasons=reason_choices(policy), actions=MODERATOR_ACTIONS, next=f"/ui/commenter?{urlencode({'key': key})}",
    )  # fmt: skip


# --- audit and policy --------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, comment: str | None = None) -> Response:
    store = store_of(request)
    session = sessions.current_session(request, store)
    decisions = list(reversed(audit_log(store, comment or None)))[:AUDIT_LIMIT]
    rows = [(d, [e["rule"] for e in evidence_items(d) if "rule" in e]) for d in decisions]
    return page(request, "audit.html", session=session, rows=rows, comment=comment, limit=AUDIT_LIMIT)


@router.get("/policy", response_class=HTMLResponse)
def policy_page(request: Request) -> Response:
    session = sessions.current_session(request, store_of(request))
    return page(request, "policy.html", session=session, policy=policy_of(request))

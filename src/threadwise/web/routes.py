"""The moderator web UI under /ui: sign in, the queue, decisions one by one or in bulk, audit log, policy.

Server-rendered (Jinja2, autoescape always on); htmx swaps a decided item in place, and every form
also works without JavaScript. Decisions go through ``threadwise.moderation`` like the API's, into the
same append-only audit log. Listing a queue claims nothing; the comment a moderator moves to is claimed
for a short while (queue.js posts to /claim on focus), so two moderators never work the same comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
    bulk_decide,
    decide,
    evidence_items,
    open_page,
)
from threadwise.policy import Policy, load_policy
from threadwise.report.routes import report_page
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
POLL_SECONDS = 5  # how often an open queue asks for comments stored since it was shown
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
        _, cookie = sessions.sign_in(request, first(form, "key"))
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


@dataclass(frozen=True)
class QueueView:
    """Which queue a page shows: its state, one story or all, and the words searched for."""

    state: str = "open"
    thread: str = ""
    q: str = ""

    def url(self, path: str = "/ui/queue", **more: str) -> str:
        wanted = {"state": self.state, "thread": self.thread, "q": self.q, **more}
        return f"{path}?{urlencode({k: v for k, v in wanted.items() if v})}"

    def states(self) -> tuple[str, ...]:
        if self.state not in QUEUES:
            raise InvalidForm(f"no queue is called {self.state!r}", fix=f"the queues are {', '.join(QUEUES)}")
        return OPEN_STATES if self.state == "open" else (self.state,)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, state: str = "open", thread: str = "", q: str = "") -> Response:
    """A queue, of every story or one (``thread``), searched by text (``q``); new comments arrive by polling."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    view = QueueView(state, thread.strip(), q.strip())
    stamp = datetime.now(UTC)  # before reading: whatever is stored from now on is an arrival
    items, held = open_page(store, session.actor, view.states(), PAGE_SIZE, thread_id=view.thread or None,
                            text=view.q or None)  # fmt: skip
    policy = policy_of(request)
    return page(
        request, "queue.html", session=session, state=state, queues=QUEUES, counts=queue_counts(store, view),
        held=held, views=ItemReader(store, policy).views(items), reasons=reason_choices(policy),
        actions=MODERATOR_ACTIONS, next=view.url(), error=None, just_decided=False, view=view,
        threads=store.list_threads(), arrivals=view.url("/ui/queue/arrivals", after=stamp.isoformat()),
        poll_seconds=POLL_SECONDS,
    )  # fmt: skip


@router.get("/queue/arrivals", response_class=HTMLResponse)
def queue_arrivals(request: Request, after: str, state: str = "open", thread: str = "", q: str = "") -> Response:
    """The comments of the queue stored since ``after``, for the page to append below the ones being read."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    view = QueueView(state, thread.strip(), q.strip())
    try:
        since = datetime.fromisoformat(after)
    except ValueError as bad:
        raise InvalidForm(f"after={after!r} is not an ISO time", fix="reload the queue") from bad
    stamp = datetime.now(UTC)
    items, _ = open_page(store, session.actor, view.states(), PAGE_SIZE, thread_id=view.thread or None,
                         text=view.q or None, arrived_after=since)  # fmt: skip
    policy = policy_of(request)
    return page(
        request, "_arrivals.html", session=session, views=ItemReader(store, policy).views(items),
        reasons=reason_choices(policy), next=view.url(), error=None, just_decided=False, state=state,
        queues=QUEUES, counts=queue_counts(store, view), oob_counts=True, view=view,
        arrivals=view.url("/ui/queue/arrivals", after=stamp.isoformat()), poll_seconds=POLL_SECONDS,
    )  # fmt: skip


def queue_counts(store: Store, view: QueueView | None = None) -> dict[str, int]:
    counts = store.queue_counts(view.thread or None if view else None)
    counts["open"] = sum(counts[s] for s in OPEN_STATES)
    return counts


@router.get("/comments/{comment_id}", response_class=HTMLResponse)
def comment_page(request: Request, comment_id: str) -> Response:
    """One comment on a page of its own (a link to share with a colleague), with a link to it in its thread."""
    store = store_of(request)
    session = sessions.current_session(request, store)
    try:
        item = store.queue_item(comment_id)
    except CommentNotFound as missing:
        raise InvalidForm(missing.message, source=comment_id, fix="check the link") from missing
    policy = policy_of(request)
    return page(
        request, "comment.html", session=session, v=ItemReader(store, policy).view(item),
        reasons=reason_choices(policy), next=f"/ui/comments/{comment_id}", error=None, just_decided=False,
        state=item.state,
    )  # fmt: skip


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
    shown = QueueView(thread=parse_qs(urlsplit(first(form, "next")).query).get("thread", [""])[0])
    return page(
        request, "_item.html", status=200 if error is None else 409, session=session, v=view, error=error,
        reasons=reason_choices(policy), next=safe_next(first(form, "next")), just_decided=just_decided,
        counts=queue_counts(store, shown), queues=QUEUES, state=first(form, "state") or "open", oob_counts=True,
        view=shown,
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


@router.get("/threads/{thread_id}/report", response_class=HTMLResponse)
def thread_report_page(request: Request, thread_id: str) -> Response:
    """The thread's report for a signed-in moderator (the API's asks for a key): where "in its thread" leads."""
    store = store_of(request)
    sessions.current_session(request, store)
    try:
        return report_page(store, thread_id, SECURITY_HEADERS)
    except ThreadwiseError as missing:
        raise InvalidForm(missing.message, source=thread_id, fix=missing.fix) from missing


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

"""The REST routes under ``/v1``: threads, pre-moderation, the queue, decisions, the audit log, webhooks.

Thin: each route checks the caller's role (``auth.require``), calls one use-case and renders its result
as JSON. Bodies are pydantic models that refuse unknown fields, so a misspelt field is a 422 naming it
rather than a silently ignored one. Who may call what: the role matrix in ``auth``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from threadwise import moderation
from threadwise.api.auth import READERS, Principal, get_store, require
from threadwise.api.moderator import Moderator
from threadwise.api.webhooks import WebhookSender, announce_decided, announce_queued
from threadwise.errors import ClaimedByOther, ModerationError
from threadwise.export import comment_record, finding_record, thread_record
from threadwise.ingest import FORMATS, read_thread
from threadwise.model import Decision
from threadwise.policy import Suggestion
from threadwise.store import STATES, QueueItem, Store

router = APIRouter(prefix="/v1")

Reader = Annotated[Principal, Depends(require(*READERS))]
Ingester = Annotated[Principal, Depends(require("ingest"))]
Moderating = Annotated[Principal, Depends(require("moderator"))]
Admin = Annotated[Principal, Depends(require())]
StoreDep = Annotated[Store, Depends(get_store)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestRequest(Strict):
    content: str = Field(min_length=1, description="The page or export itself (HTML, text, JSON, XML, CSV…).")
    source: str = Field("upload", description="A name or URL for the input; it seeds the thread id.")
    format: str | None = Field(None, description=f"Skip detection; one of: {', '.join(FORMATS)}.")
    premoderate: bool = Field(False, description="Also analyse every comment and record the policy's suggestions.")


class SubmitRequest(Strict):
    text: str = Field(min_length=1, max_length=20_000)
    author: str | None = Field(None, description="The name shown with the comment.")
    author_id: str | None = Field(None, description="The commenter's account id on your platform: history and "
                                  "bulk decisions follow it (without one, a name counts on this thread only).")
    parent_id: str | None = None


class ReportRequest(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="What the reader says is wrong with it.")
    reporter: str | None = Field(None, max_length=200, description="Who reported it (your platform's user id).")


class ClaimRequest(Strict):
    ttl_seconds: float = Field(300, gt=0, le=86_400)


class DecideRequest(Strict):
    action: Literal["approve", "reject", "escalate"]
    reason: str = ""
    finding_refs: list[str] = Field(default_factory=list)


class BulkDecideRequest(DecideRequest):
    comment_ids: list[str] | None = Field(None, min_length=1, max_length=1000)
    author_key: str | None = Field(None, description="A commenter (an item's ``author_key``): their comments still "
                                   "in the open queue are decided, no published or rejected one.")
    expected: int | None = Field(None, ge=0, description="With author_key: the count you confirmed; if the "
                                 "commenter's open comments are no longer that many, nothing is decided (409).")


# --- threads ----------------------------------------------------------------------------------------


@router.post("/threads", status_code=201, tags=["threads"])
def ingest_thread(body: IngestRequest, request: Request, store: StoreDep, _: Ingester) -> dict[str, Any]:
    """Store a page or export as a thread; with ``premoderate``, also queue every comment with a suggestion."""
    thread = read_thread(body.content.encode("utf-8"), body.source, format=body.format)
    if body.premoderate:
        done = _moderator(request).premoderate(store, thread)
        for decision in done.recorded:
            _announce_queued(request, store, decision.comment_id)
        counts = {a: sum(s.action == a for s in done.suggestions) for a in ("approve", "review", "reject")}
        return {"thread_id": thread.id, "comments": len(thread.comments), "premoderated": len(done.suggestions),
                "suggestions": counts, "notes": list(thread.notes)}
    saved = store.save_thread(thread)
    return {**asdict(saved), "comments": len(thread.comments), "notes": list(thread.notes)}


@router.get("/threads", tags=["threads"])
def list_threads(store: StoreDep, _: Reader) -> list[dict[str, Any]]:
    return [{**asdict(s), "ingested_at": s.ingested_at.isoformat()} for s in store.list_threads()]


@router.get("/threads/{thread_id}", tags=["threads"])
def get_thread(thread_id: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """The thread: article and comments in page order (an id prefix of 6+ characters is enough)."""
    return thread_record(store.load_thread(store.resolve_thread_id(thread_id)))


@router.get("/threads/{thread_id}/findings", tags=["threads"])
def thread_findings(thread_id: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """Every stored finding of the thread's comments, with evidence spans, grouped by comment."""
    resolved = store.resolve_thread_id(thread_id)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in store.iter_findings(resolved):
        grouped.setdefault(finding.comment_id, []).append(finding_record(finding))
    return {"thread_id": resolved, "findings": grouped}


@router.post("/threads/{thread_id}/comments", status_code=201, tags=["pre-moderation"])
def submit_comment(
    thread_id: str, body: SubmitRequest, request: Request, store: StoreDep, _: Ingester
) -> dict[str, Any]:
    """Pre-moderate one new comment: analysed in its thread, stored, and answered with the suggested decision."""
    resolved = store.resolve_thread_id(thread_id)
    comment, suggestion = _moderator(request).submit(store, resolved, body.text, body.author, body.parent_id,
                                                     author_id=body.author_id)  # fmt: skip
    item = _announce_queued(request, store, comment.id)
    return {"comment": comment_record(comment), "state": item.state, "suggestion": suggestion_record(suggestion),
            "statement_of_reasons": moderation.draft_reasons(store, comment.id)}


# --- the queue -----------------------------------------------------------------------------------------


@router.get("/queue", tags=["queue"])
def read_queue(
    store: StoreDep, _: Reader, state: Annotated[str | None, Query(description=f"One of {', '.join(STATES)}.")] = None,
    thread_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Comments in a queue (or all), oldest first, with each one's state, latest decision and suggestion."""
    items = store.queue(state, thread_id=thread_id, limit=limit, offset=offset)
    return {"items": [item_record(i) for i in items], "counts": store.queue_counts(thread_id)}


@router.get("/comments/{comment_id}", tags=["queue"])
def get_comment(comment_id: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """One comment as a moderator sees it, with reader reports and a draft statement of reasons."""
    item = store.queue_item(comment_id)
    record = item_record(item)
    record["reports"] = [{**asdict(r), "created_at": r.created_at.isoformat()} for r in store.reports(comment_id)]
    record["statement_of_reasons"] = moderation.draft_reasons(store, comment_id) if item.decision else None
    return record


@router.post("/comments/{comment_id}/reports", status_code=201, tags=["queue"])
def report_comment(comment_id: str, body: ReportRequest, store: StoreDep, _: Ingester) -> dict[str, Any]:
    """File a reader's report: the comment goes to the "reported" queue, with the reason, until it is decided."""
    report = moderation.report_comment(store, comment_id, body.reason, body.reporter)
    return {**asdict(report), "created_at": report.created_at.isoformat(), "state": store.queue_item(comment_id).state}


@router.post("/comments/{comment_id}/claim", tags=["decisions"])
def claim(comment_id: str, body: ClaimRequest, store: StoreDep, who: Moderating) -> dict[str, Any]:
    """Take the comment for ``ttl_seconds`` so no other moderator decides it meanwhile (409 if someone holds it)."""
    if not store.claim(comment_id, who.actor, body.ttl_seconds):
        item = store.queue_item(comment_id)
        holder = item.claim.moderator if item.claim else "another moderator"
        raise ClaimedByOther(f"comment {comment_id} is claimed by {holder}", source=comment_id)
    return item_record(store.queue_item(comment_id))


@router.delete("/comments/{comment_id}/claim", tags=["decisions"])
def release(comment_id: str, store: StoreDep, who: Moderating) -> dict[str, Any]:
    return {"comment_id": comment_id, "released": store.release(comment_id, who.actor)}


@router.post("/comments/{comment_id}/decision", status_code=201, tags=["decisions"])
def decide(
    comment_id: str, body: DecideRequest, request: Request, store: StoreDep, who: Moderating
) -> dict[str, Any]:
    """Approve, reject (a reason is required) or escalate; recorded under the key's name."""
    decision = moderation.decide(store, comment_id, who.actor, body.action, body.reason, body.finding_refs)
    return _announce_decided(request, store, [decision])[0]


@router.post("/decisions/bulk", status_code=201, tags=["decisions"])
def bulk_decide(body: BulkDecideRequest, request: Request, store: StoreDep, who: Moderating) -> dict[str, Any]:
    """Decide many comments at once, by ids or a commenter's open ones: all of them, or none."""
    if (body.comment_ids is None) == (body.author_key is None):
        raise ModerationError("a bulk decision needs either comment_ids or author_key, not both or neither",
                              fix="send one of comment_ids (a list) or author_key (an item's author_key)")
    made = moderation.bulk_decide(store, who.actor, body.action, body.reason, comment_ids=body.comment_ids,
                                  author_key=body.author_key, expected=body.expected,
                                  finding_refs=body.finding_refs)  # fmt: skip
    return {"decisions": _announce_decided(request, store, made)}


@router.get("/audit", tags=["decisions"])
def audit(
    store: StoreDep, _: Reader, comment_id: str | None = None, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> dict[str, Any]:
    """Every decision, oldest first (or one comment's): who, when, what, why, on which evidence."""
    decisions = moderation.audit_log(store, comment_id)
    return {"decisions": [decision_record(d) for d in decisions[-limit:]], "total": len(decisions)}


@router.get("/webhooks/deliveries", tags=["webhooks"])
def webhook_deliveries(
    store: StoreDep, _: Admin, status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Outgoing webhook deliveries and their attempts (admin)."""
    return [
        {**asdict(d), "created_at": d.created_at.isoformat(), "updated_at": d.updated_at.isoformat()}
        for d in store.webhook_deliveries(status, limit)
    ]


# --- rendering -----------------------------------------------------------------------------------------


def suggestion_record(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "action": suggestion.action, "reason": suggestion.reason, "policy": suggestion.policy,
        "policy_version": suggestion.policy_version,
        "matches": [{**asdict(m), "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in m.spans],
                     "carried_by": [{"start": a, "end": b, "drop": drop} for a, b, drop in m.carried_by]}
                    for m in suggestion.matches],
    }  # fmt: skip


def decision_record(decision: Decision) -> dict[str, Any]:
    record = asdict(decision)
    record["decided_at"] = decision.decided_at.isoformat()
    record["evidence"] = moderation.evidence_items(decision)
    return record


def item_record(item: QueueItem) -> dict[str, Any]:
    claim = item.claim
    return {
        "comment": comment_record(item.comment), "state": item.state,
        "author_id": item.comment.author_id, "author_key": item.comment.author_key, "report_count": item.report_count,
        "decision": decision_record(item.decision) if item.decision else None,
        "suggestion": decision_record(item.suggestion) if item.suggestion else None,
        "claim": {"moderator": claim.moderator, "expires_at": claim.expires_at.isoformat()} if claim else None,
        "reported_at": item.reported_at.isoformat() if item.reported_at else None,
    }  # fmt: skip


def _moderator(request: Request) -> Moderator:
    moderator: Moderator = request.app.state.moderator
    return moderator


def _webhooks(request: Request) -> WebhookSender:
    sender: WebhookSender = request.app.state.webhooks
    return sender


def _announce_queued(request: Request, store: Store, comment_id: str) -> QueueItem:
    return announce_queued(_webhooks(request), store, comment_id)


def _announce_decided(request: Request, store: Store, decisions: list[Decision]) -> list[dict[str, Any]]:
    items = announce_decided(_webhooks(request), store, decisions)
    return [{**decision_record(d), "state": item.state} for d, item in zip(decisions, items, strict=True)]

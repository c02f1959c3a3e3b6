"""Coral's external moderation phase: Coral posts each new or edited comment, we answer with a decision.

The contract is Coral's (coralproject/talk, docs/docs/external-moderation-phases.md and webhooks.md):

- Request: ``POST`` with JSON ``{action: NEW|EDIT, comment: {body, parentID}, author: {id, role},
  story: {id, url}, site: {id}, tenantID, tenantDomain}``, signed in the header
  ``X-Coral-Signature: sha256=<hex>[,sha256=<hex>…]``: HMAC-SHA256 of the raw body with each active
  signing secret (several while a secret is rotated). Coral's scheme carries no timestamp, so there is
  none to check; the secret is what authenticates.
- Answer: ``204`` without a body for "no decision" (Coral carries on as configured), or ``200`` with
  ``{status?: APPROVED|REJECTED|PREMOD|SYSTEM_WITHHELD, actions?: [{actionType: FLAG, reason:
  COMMENT_DETECTED_TOXIC|COMMENT_DETECTED_SPAM}], tags?: [...]}``.
- Coral waits only its phase's configured timeout, then skips the phase. So the analysis here runs
  under ``coral_budget_seconds``; past it we answer 204 at once rather than be cut off.

How a suggestion maps: reject → ``REJECTED``; review because of the words → ``SYSTEM_WITHHELD``;
review because of who wrote it (first comment, history) → ``PREMOD``; approve → 204, leaving Coral's
own pre-moderation settings in charge (``ApiSettings.coral_approve``: answer ``APPROVED`` instead).
Content matches add a ``FLAG``: links → ``COMMENT_DETECTED_SPAM``, anything else →
``COMMENT_DETECTED_TOXIC``. Coral keeps the comment; nothing is stored here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Sequence
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from threadwise.api.errors import InvalidRequest, MalformedJson
from threadwise.api.moderator import Moderator
from threadwise.errors import BadSignature
from threadwise.model import Article, Comment, make_id
from threadwise.policy import Suggestion

log = logging.getLogger("threadwise.coral")

SIGNATURE_HEADER = "X-Coral-Signature"
PERSONAL_RULES = ("first_comment", "history")  # held for who wrote it, not for what it says
SPAM_RULES = ("links",)

router = APIRouter(tags=["Coral external moderation"])


class _CoralModel(BaseModel):
    # Coral may add fields in later versions: ignore what we do not read rather than refuse its request.
    model_config = ConfigDict(extra="ignore")


class CoralComment(_CoralModel):
    body: str
    parentID: str | None = None


class CoralAuthor(_CoralModel):
    id: str
    role: str = "COMMENTER"


class CoralStory(_CoralModel):
    id: str
    url: str = ""


class CoralSite(_CoralModel):
    id: str = ""


class CoralRequest(_CoralModel):
    action: Literal["NEW", "EDIT"]
    comment: CoralComment
    author: CoralAuthor
    story: CoralStory
    site: CoralSite | None = None
    tenantID: str | None = None
    tenantDomain: str | None = None


class CoralFlag(BaseModel):
    actionType: Literal["FLAG"] = "FLAG"
    reason: Literal["COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"]


class CoralResponse(BaseModel):
    status: Literal["APPROVED", "REJECTED", "PREMOD", "SYSTEM_WITHHELD"] | None = None
    actions: list[CoralFlag] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


def coral_signature(body: bytes, secrets: Sequence[str]) -> str:
    """The header value Coral sends for ``body`` (used by tests and by anyone simulating Coral)."""
    return ",".join(f"sha256={hmac.new(s.encode(), body, hashlib.sha256).hexdigest()}" for s in secrets)


def check_signature(body: bytes, header: str | None, secrets: Sequence[str]) -> None:
    """Refuse (BadSignature, 401) unless one ``sha256=`` value is the body's HMAC under one of ``secrets``."""
    if not secrets:
        raise BadSignature("this server has no Coral signing secret, so it cannot trust any Coral request",
                           fix="start the server with THREADWISE_CORAL_SECRETS set to the phase's signing secret")
    if not header:
        raise BadSignature(f"the request has no {SIGNATURE_HEADER} header")
    given = [v.strip() for k, _, v in (p.partition("=") for p in header.split(",")) if k.strip() == "sha256"]
    expected = [hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secrets]
    if not any(hmac.compare_digest(g, e) for g in given for e in expected):
        raise BadSignature(f"no signature in {SIGNATURE_HEADER} matches the body under this server's secrets")


@router.post(
    "/coral/moderate",
    response_model=CoralResponse,
    response_model_exclude_none=True,
    responses={204: {"description": "No decision: Coral carries on as it is configured."}},
)
async def coral_moderate(request: Request) -> Any:
    """Coral external moderation phase: a suggested status and flags for one new or edited comment."""
    settings = request.app.state.settings
    raw = await request.body()
    check_signature(raw, request.headers.get(SIGNATURE_HEADER), settings.coral_secrets)
    coral = _parse(raw)
    moderator: Moderator = request.app.state.moderator
    article = Article(id=make_id("coral", coral.story.id), url=coral.story.url or None)
    comment = Comment(id=make_id("coral", coral.story.id, coral.author.id, coral.comment.body), thread_id=article.id,
                      text=coral.comment.body, position=0, author=f"coral:{coral.author.id}",
                      author_id=f"coral:{coral.author.id}")  # fmt: skip
    try:
        suggestion, _ = await asyncio.wait_for(
            run_in_threadpool(moderator.assess, article, comment), timeout=settings.coral_budget_seconds
        )
    except TimeoutError:
        log.warning("Coral request over its %.2f s budget: answered without a decision", settings.coral_budget_seconds)
        return Response(status_code=204, headers={"X-Threadwise-Skipped": "time budget"})
    answer = coral_answer(suggestion, approve=settings.coral_approve)
    return Response(status_code=204) if answer is None else answer


def coral_answer(suggestion: Suggestion, *, approve: bool = False) -> CoralResponse | None:
    """Coral's answer for a suggestion; None: no decision (204)."""
    content = [m for m in suggestion.matches if m.action != "approve" and m.rule not in PERSONAL_RULES]
    flags = sorted({"COMMENT_DETECTED_SPAM" if m.rule in SPAM_RULES else "COMMENT_DETECTED_TOXIC" for m in content})
    actions = [CoralFlag(reason=f) for f in flags]  # type: ignore[arg-type]
    if suggestion.action == "reject":
        return CoralResponse(status="REJECTED", actions=actions)
    if suggestion.action == "review":
        return CoralResponse(status="SYSTEM_WITHHELD" if content else "PREMOD", actions=actions)
    if actions:  # approved, yet something below the policy's bar was noticed: flag without a status
        return CoralResponse(actions=actions)
    return CoralResponse(status="APPROVED") if approve else None


def _parse(raw: bytes) -> CoralRequest:
    try:
        return CoralRequest.model_validate_json(raw)
    except ValidationError as error:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            raise MalformedJson("the body is not valid JSON") from error
        where = "; ".join(f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}" for p in problems)
        raise InvalidRequest(f"not a Coral external moderation request: {where}") from error

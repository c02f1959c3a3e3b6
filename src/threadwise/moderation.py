"""Moderation use-cases: pre-moderate threads and new comments, decide, decide in bulk, audit, explain.

The policy's suggestion for a comment is recorded as a decision by ``policy:<name>@<version>``, so the
queue a comment lands in, the suggestion a moderator sees and the audit trail are one append-only
record. Its evidence is one JSON object per rule that matched (rule, label, score, threshold, spans,
analyser version): enough to show the moderator why, and to draft the statement of reasons later
without re-running any analyser.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from threadwise.errors import EmptyInput, InvalidAction, ModerationError, ReasonRequired
from threadwise.explain import with_carried_words
from threadwise.model import Comment, Decision, Finding, Run, Thread, make_id
from threadwise.pipeline import Pipeline
from threadwise.policy import AuthorHistory, Policy, RuleMatch, Suggestion, suggest
from threadwise.service import analyse_thread
from threadwise.standing import Standing, standing_of
from threadwise.store import OPEN_STATES, DecisionRequest, QueueItem, Report, Store
from threadwise.store.queue import POLICY_ACTOR, is_policy_actor

MODERATOR_ACTIONS = ("approve", "reject", "escalate")
HISTORY_WINDOW_DAYS = 30  # when the policy has no [history] rule of its own


@dataclass(frozen=True)
class Premoderation:
    """What ``premoderate`` did: the analysis run, every suggestion, and the decisions it recorded."""

    run: Run
    suggestions: list[Suggestion]
    recorded: list[Decision]
    kept: list[str]  # comments left alone: a person decided them, or the policy already said the same


def policy_actor(policy: Policy) -> str:
    return f"{POLICY_ACTOR}{policy.name}@{policy.version}"


# --- suggestions -----------------------------------------------------------------------------------


def premoderate(
    store: Store, policy: Policy, thread: Thread, comment_ids: Sequence[str] | None = None,
    *, pipeline: Pipeline | None = None,
) -> Premoderation:
    """Store the thread, analyse the comments (all, or ``comment_ids``) and record the policy's suggestions.

    A comment a person has already decided keeps that decision: the machine never overrules a moderator.
    ``pipeline``: an already loaded one (the API's), else one is loaded for this call.
    """
    store.save_thread(thread)
    targets = _targets(thread, comment_ids)
    analysis = analyse_thread(_with_ancestors(thread, targets), pipeline=pipeline)
    store.save_run(analysis.run)
    store.add_findings(f for f in analysis.findings if f.comment_id in targets)
    latest = {item.comment.id: item.decision for item in store.queue(thread_id=thread.id, limit=None)}
    standings: dict[str, Standing] = {}  # one look-up per commenter, however many comments they wrote
    suggestions = [_suggest_stored(store, policy, c, analysis.findings_for(c.id), standings)
                   for c in thread.comments if c.id in targets]  # fmt: skip
    requests = [suggestion_request(policy, s) for s in suggestions]
    new = [r for r in requests if not _already_settled(latest.get(r.comment_id), r)]
    kept = [r.comment_id for r in requests if r not in new]
    return Premoderation(analysis.run, suggestions, store.append_decisions(new), kept)


def submit_comment(
    store: Store, policy: Policy, thread_id: str, text: str, author: str | None, parent_id: str | None = None,
    *, pipeline: Pipeline | None = None, author_id: str | None = None,
) -> tuple[Comment, Suggestion]:
    """Pre-moderate one new comment: analyse it in its thread, store it with the suggestion, return both."""
    if not text.strip():
        raise EmptyInput("the comment has no text", source=thread_id, fix="a comment needs some words")
    # Only the article and the reply chain: loading the whole thread would grow with every comment it gets.
    reply = store.load_reply_context(thread_id, parent_id)
    now = datetime.now(UTC)
    comment = Comment(
        id=make_id(thread_id, "submitted", author, parent_id, text, now.isoformat()), thread_id=thread_id,
        text=text, position=reply.next_position, parent_id=parent_id, author=author, created_at=now,
        author_id=author_id.strip() if author_id and author_id.strip() else None,
    )  # fmt: skip
    context = Thread(reply.article, (*reply.ancestors, comment))
    analysis = analyse_thread(context, pipeline=pipeline)
    findings = analysis.findings_for(comment.id)
    # Suggested before the comment is stored, so that the history read for it counts a newcomer's first comment
    # as their first.
    suggestion = _suggest_stored(store, policy, comment, findings, {})
    store.save_run(analysis.run)
    placed, _ = store.add_comment(comment, findings, suggestion_request(policy, suggestion))
    return placed, suggestion


def _suggest_stored(store: Store, policy: Policy, comment: Comment, findings: Sequence[Finding],
                    standings: dict[str, Standing]) -> Suggestion:
    suggestion = with_carried_words(policy, comment, suggest(policy, comment, findings,
                                                             history=_history(store, policy, comment)))
    return _held_for_standing(store, comment, suggestion, standings)


def _held_for_standing(store: Store, comment: Comment, suggestion: Suggestion,
                       known: dict[str, Standing] | None = None) -> Suggestion:
    """A banned, suspended or premoderated commenter's comment is held for a person, the standing named."""
    if comment.author_key is None:
        return suggestion
    known = {} if known is None else known
    if comment.author_key not in known:
        known[comment.author_key] = standing_of(store, comment.author_key)
    standing = known[comment.author_key]
    if not standing.restricted or suggestion.action in ("review", "reject"):
        return suggestion
    reason = f"the commenter is {standing.summary}"
    match = RuleMatch("author-standing", "review", reason)
    return replace(suggestion, action="review", reason=reason, matches=(match, *suggestion.matches))


def open_page(
    store: Store, moderator: str, states: Sequence[str], size: int, *, thread_id: str | None = None,
    text: str | None = None, arrived_after: datetime | None = None,
) -> tuple[list[QueueItem], int]:
    """Up to ``size`` items in ``states`` that no other moderator holds, and how many on the way were held.

    Looking claims nothing: a moderator who only glances at the queue locks no comment away from the
    others. A comment is claimed when it is worked on (``store.claim``, briefly, on focus) and a decision
    is refused while someone else holds it.
    """
    mine: list[QueueItem] = []
    held = 0
    for state in states:
        for item in store.queue(state, limit=size * 4, thread_id=thread_id, text=text, arrived_after=arrived_after):
            if len(mine) >= size:
                return mine, held
            if item.claim is not None and item.claim.moderator != moderator:
                held += 1
            else:
                mine.append(item)
    return mine, held


def suggestion_request(policy: Policy, suggestion: Suggestion) -> DecisionRequest:
    evidence = tuple(_evidence_item(policy, m) for m in suggestion.matches)
    return DecisionRequest(suggestion.comment_id, suggestion.action, policy_actor(policy), suggestion.reason, evidence)


def _targets(thread: Thread, comment_ids: Sequence[str] | None) -> set[str]:
    if comment_ids is None:
        return {c.id for c in thread.comments}
    unknown = [i for i in comment_ids if not thread.has_comment(i)]
    if unknown:
        raise ModerationError(f"comment {unknown[0]!r} is not in thread {thread.id}", source=unknown[0])
    return set(comment_ids)


def _with_ancestors(thread: Thread, targets: set[str]) -> Thread:
    """The part of the thread the analysers need for ``targets``: each with the replies chain above it."""
    if len(targets) == len(thread.comments):
        return thread
    needed = set(targets) | {a.id for t in targets for a in thread.ancestors(t)}
    return Thread(thread.article, tuple(c for c in thread.comments if c.id in needed))


def _history(store: Store, policy: Policy, comment: Comment) -> AuthorHistory | None:
    if comment.author_key is None:
        return None  # an anonymous comment has no history to weigh
    window = policy.history.window_days if policy.history else HISTORY_WINDOW_DAYS
    return store.author_history(comment.author_key, window, excluding=comment.id)


def _already_settled(latest: Decision | None, request: DecisionRequest) -> bool:
    if latest is None:
        return False
    if not is_policy_actor(latest.actor):
        return True
    # Re-running the same policy on unchanged findings would only repeat itself in the audit trail.
    return (latest.actor, latest.action, latest.reason) == (request.actor, request.action, request.reason)


# --- evidence ---------------------------------------------------------------------------------------


def _evidence_item(policy: Policy, match: RuleMatch) -> str:
    labels = {r.name: f"{r.analyser}.{r.label}" for r in policy.rules}
    item: dict[str, Any] = {
        "rule": match.rule, "action": match.action, "reason": match.reason, "label": labels.get(match.rule, match.rule),
        "score": match.score, "threshold": match.threshold, "analyser": match.analyser,
        "analyser_version": match.analyser_version, "spans": [[s.start, s.end, s.label] for s in match.spans],
    }  # fmt: skip
    if match.carried_by:
        item["carried_by"] = [list(w) for w in match.carried_by]
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def evidence_items(decision: Decision) -> list[dict[str, Any]]:
    """A decision's evidence as objects: a policy's rule matches, or ``{"ref": ...}`` for a moderator's note."""
    return [_parse_evidence(e) for e in decision.evidence]


def _parse_evidence(entry: str) -> dict[str, Any]:
    try:
        parsed = json.loads(entry)
    except ValueError:
        return {"ref": entry}
    return parsed if isinstance(parsed, dict) else {"ref": entry}


# --- moderators' decisions -------------------------------------------------------------------------------


def decide(
    store: Store, comment_id: str, moderator: str, action: str, reason: str = "", finding_refs: Sequence[str] = ()
) -> Decision:
    """Record a moderator's decision, superseding the comment's latest; ends the moderator's claim on it."""
    request = _moderator_request(comment_id, moderator, action, reason, finding_refs)
    return store.append_decisions([request])[0]


def bulk_decide(
    store: Store, moderator: str, action: str, reason: str = "", *, comment_ids: Sequence[str] | None = None,
    author_key: str | None = None, expected: int | None = None, finding_refs: Sequence[str] = (),
) -> list[Decision]:
    """Decide a selection of comments, or every open comment of one commenter, at once: all or none.

    By commenter, only what is still in the open queue is decided (a published or rejected comment is left
    as it is), and ``expected`` — the count the moderator confirmed — must still be the count: a comment
    that arrived or was decided meanwhile refuses the whole, rather than deciding what no one saw counted.
    """
    if (comment_ids is None) == (author_key is None):
        raise ModerationError("a bulk decision needs either comment ids or a commenter, not both or neither")
    if author_key is not None:
        comment_ids = [i.comment.id for i in author_open_items(store, author_key)]
        if expected is not None and expected != len(comment_ids):
            raise ModerationError(
                f"the commenter now has {len(comment_ids)} open comments, not the {expected} confirmed",
                source=author_key, fix="look at the count again and confirm it",
            )  # fmt: skip
    assert comment_ids is not None
    unique = list(dict.fromkeys(comment_ids))  # one decision per comment, even if selected twice
    return store.append_decisions([_moderator_request(i, moderator, action, reason, finding_refs) for i in unique])


def author_open_items(store: Store, author_key: str) -> list[QueueItem]:
    """The commenter's comments still waiting in the open queue, on every thread: what a bulk decision by
    commenter would decide."""
    if not author_key.strip():
        raise ModerationError("an anonymous commenter cannot be decided in bulk", source=author_key,
                              fix="select the comments one by one")  # fmt: skip
    return store.author_items(author_key, OPEN_STATES)


def _moderator_request(
    comment_id: str, moderator: str, action: str, reason: str, finding_refs: Sequence[str]
) -> DecisionRequest:
    if not moderator.strip() or is_policy_actor(moderator):
        raise ModerationError(f"{moderator!r} cannot decide comment {comment_id} as a moderator", source=comment_id,
                              fix=f"give the moderator's own name; {POLICY_ACTOR}… is reserved for the policy")
    if action not in MODERATOR_ACTIONS:
        raise InvalidAction(f"cannot {action!r} comment {comment_id}", source=comment_id)
    if action == "reject" and not reason.strip():
        raise ReasonRequired(f"rejecting comment {comment_id} needs a reason", source=comment_id)
    return DecisionRequest(comment_id, action, moderator, reason.strip(), tuple(finding_refs))


def report_comment(store: Store, comment_id: str, reason: str, reporter: str | None = None) -> Report:
    """File a reader's report: the comment is in the "reported" queue until a moderator decides it again."""
    if not reason.strip():
        raise ModerationError(f"a report on comment {comment_id} needs the reader's reason", source=comment_id,
                              fix="pass what the reader says is wrong, e.g. \"personal attack\"")  # fmt: skip
    return store.add_report(comment_id, reason.strip(), (reporter or "").strip() or None)


def audit_log(store: Store, comment_id: str | None = None) -> list[Decision]:
    """Every decision, oldest first (or one comment's): who, when, what, why, on which evidence."""
    return list(store.iter_decisions(comment_id))


# --- reasons for the commenter --------------------------------------------------------------------------


def draft_reasons(store: Store, comment_id: str) -> str:
    """A statement of reasons for the comment's current decision, drafted for a moderator to edit
    (see ``threadwise.statements``, which saves and sends it)."""
    from threadwise.statements import draft_statement  # statements builds on this module

    return draft_statement(store, comment_id).text

"""Statements of reasons for commenters (DSA Art. 17): drafted from the decision, edited, saved, sent.

The ground is the moderator's own reason, never the policy's rule joined to it: a comment rejected as
spam is not told it was removed "under our rule “insult”". The facts quote the words the machine
flagged only when the moderator's ground is that rule's. Whether automation was used is said in two
parts, as Art. 17(3)(c) asks: in detecting the comment, and in deciding it. Every save and every send
is appended (``Store.add_statement``); a statement always names the decision it explains, and one for
a decision that has since been superseded is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from threadwise.errors import ModerationError
from threadwise.model import Comment, Decision
from threadwise.moderation import evidence_items
from threadwise.policy import Policy
from threadwise.store import QueueItem, Statement, Store
from threadwise.store.queue import is_policy_actor

REDRESS = ("Moderation here concerns how something is said, never the opinion expressed. "
           "You may ask for a review of this decision by replying to this message.")  # fmt: skip
OUTCOMES = {"reject": "was removed", "escalate": "is held for review by a senior moderator",
            "review": "is held for review by a moderator", "approve": "was published"}  # fmt: skip


@dataclass(frozen=True)
class Draft:
    """A statement ready to edit: its text and the parts it was built from."""

    comment_id: str
    decision_id: str
    text: str
    ground: str
    automated_detection: bool
    automated_decision: bool


def draft_statement(store: Store, comment_id: str, policy: Policy | None = None) -> Draft:
    """The statement for the comment's current decision. ``policy``: names its rules' descriptions, so a
    moderator's reason picked from the policy's list is recognised as that rule's."""
    item = store.queue_item(comment_id)
    decision = item.decision
    if decision is None:
        raise ModerationError(f"comment {comment_id} has no decision to explain yet", source=comment_id,
                              fix="pre-moderate the thread or decide the comment first")  # fmt: skip
    detected = _flagged(item)
    by_machine = is_policy_actor(decision.actor)
    ground = decision.reason.strip() or "our community standards"
    if decision.action == "approve":
        text = "Your comment was published."
    else:
        facts = _facts(item.comment, _ground_rules(item, decision, policy))
        text = (f"Your comment {OUTCOMES.get(decision.action, OUTCOMES['review'])}. Ground: {ground}.{facts} "
                f"{_automation(detected, by_machine)} {REDRESS}")  # fmt: skip
    return Draft(comment_id, decision.id, text, ground, detected, by_machine)


def save_statement(store: Store, comment_id: str, decision_id: str, text: str, actor: str, *, send: bool) -> Statement:
    """Append the moderator's (edited) statement for ``decision_id``, as saved or as sent to the commenter."""
    if not text.strip():
        raise ModerationError(f"the statement for comment {comment_id} is empty", source=comment_id,
                              fix="write what the commenter is told, or keep the draft")  # fmt: skip
    draft = draft_statement(store, comment_id)
    if draft.decision_id != decision_id:
        raise ModerationError(f"comment {comment_id} has been decided again since this statement was written",
                              source=comment_id, fix="reload the comment and explain its current decision")
    automated = (draft.automated_detection, draft.automated_decision)
    status = "sent" if send else "saved"
    return store.add_statement(comment_id, decision_id, status, text.strip(), draft.ground, automated, actor)


def current_statement(store: Store, item: QueueItem) -> Statement | None:
    """The newest statement written for the comment's current decision, if any."""
    if item.decision is None:
        return None
    mine = [s for s in store.statements(item.comment.id) if s.decision_id == item.decision.id]
    return mine[-1] if mine else None


def _flagged(item: QueueItem) -> bool:
    return item.suggestion is not None and any(e.get("analyser") for e in evidence_items(item.suggestion))


def _ground_rules(item: QueueItem, decision: Decision, policy: Policy | None) -> list[dict[str, object]]:
    """The machine's rule matches that are the decision's own ground: all of them when the policy decided,
    else only those whose rule the moderator named (by name, or by the description the reason list shows)."""
    matches = [e for e in evidence_items(item.suggestion) if "rule" in e] if item.suggestion else []
    if is_policy_actor(decision.actor):
        return matches
    described = {r.name: r.description for r in policy.rules} if policy else {}
    reason = decision.reason.strip().casefold()
    return [m for m in matches
            if reason in {str(m["rule"]).casefold(), (described.get(str(m["rule"])) or "").casefold()}]  # fmt: skip


def _facts(comment: Comment, rules: list[dict[str, object]]) -> str:
    when = f" of {comment.created_at:%d %B %Y}" if comment.created_at else ""
    spans = [span for rule in rules for span in rule.get("spans") or []]  # type: ignore[attr-defined]
    quoted = ", ".join(dict.fromkeys(f"“{comment.text[s[0]:s[1]]}”" for s in spans[:3]))
    words = f" The words concerned: {quoted}." if quoted else ""
    return f" Facts: your comment{when}.{words}" if when or words else words


def _automation(detected: bool, by_machine: bool) -> str:
    if by_machine:
        return "It was detected and decided by automated means; no person has reviewed it yet."
    if detected:
        return "Automated analysis flagged it for review; a moderator made this decision."
    return "No automated means were used: a moderator found and decided it."

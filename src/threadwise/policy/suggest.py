"""Findings + policy → a suggested decision that carries its own justification.

Every suggestion names the rule, the evidence spans, the score and threshold, and the analyser and
policy versions it rests on. Without an evidence span nothing is rejected automatically: a rejection
that cannot point at the words that caused it is turned into a hold for review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from threadwise.language import language_name
from threadwise.model import Comment, Finding, Span
from threadwise.policy.rules import ACTIONS, Policy

# Passages in quotation marks (straight, curly, low-high, guillemets): the writer shows words, not uses them.
_QUOTED = re.compile(r'"[^"\n]{1,600}"|“[^”“\n]{1,600}”|„[^“”„\n]{1,600}[“”]|«[^»\n]{1,600}»')
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|biz|ru|io|co|xyz|top)(?:/\S*)?\b", re.I)
NO_EVIDENCE = "no evidence span: held for review instead of rejected"
QUOTED_EVIDENCE = ("the evidence is quoted ({where}): repeating words to answer or report them is held for "
                   "review, never rejected automatically")
# Analysers the policy reads besides those its rules name: quotes tells quoted evidence from the writer's own.
ALWAYS_READ = ("toxicity", "quotes")


@dataclass(frozen=True)
class AuthorHistory:
    """What the store knows of a commenter: decided comments in the policy's window."""

    comments: int = 0
    approved: int = 0
    rejected: int = 0

    @property
    def rejection_rate(self) -> float:
        decided = self.approved + self.rejected
        return self.rejected / decided if decided else 0.0


@dataclass(frozen=True)
class RuleMatch:
    rule: str
    action: str
    reason: str
    spans: tuple[Span, ...] = ()
    score: float | None = None
    threshold: float | None = None
    analyser: str | None = None
    analyser_version: str | None = None
    # Where the finding has no span: the words whose removal lowered its score (start, end, drop), found for holds
    # only (threadwise.explain). Shown to the moderator as what carried the score; never evidence to reject.
    carried_by: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """The policy's suggested action for one comment, with every match that led to it."""

    comment_id: str
    action: str
    reason: str
    matches: tuple[RuleMatch, ...] = ()
    policy: str = ""
    policy_version: str = ""
    made_at: datetime | None = field(default=None, compare=False)

    @property
    def deciding(self) -> RuleMatch | None:
        return self.matches[0] if self.matches else None

    @property
    def evidence(self) -> tuple[Span, ...]:
        return tuple(s for m in self.matches if m.action == self.action for s in m.spans)


def suggest(policy: Policy, comment: Comment, findings: Sequence[Finding], *, language: str | None = None,
            history: AuthorHistory | None = None) -> Suggestion:
    """Apply every rule; the most severe action wins, unless it is a rejection without evidence.

    ``language`` picks the word lists; by default the language the toxicity model read the comment in.
    """
    language = language or language_of_findings(findings)
    matches = [*_label_matches(policy, findings), *_word_matches(policy, comment, language),
               *_language_matches(policy, findings), *_link_matches(policy, comment),
               *_history_matches(policy, history)]
    matches.sort(key=lambda m: (-ACTIONS.index(m.action), -(m.score or 0.0)))
    if not matches:
        return Suggestion(comment.id, policy.default_action, "no rule matched", (), policy.name, policy.version)
    action, reason = matches[0].action, matches[0].reason
    rejecting = [m for m in matches if m.action == "reject"]
    if action == "reject" and not any(m.spans for m in rejecting):
        action, reason = "review", f"{reason}; {NO_EVIDENCE}"
    elif action == "reject" and (where := _all_quoted(rejecting, comment, findings)):
        action, reason = "review", f"{reason}; {QUOTED_EVIDENCE.format(where=where)}"
    return Suggestion(comment.id, action, reason, tuple(matches), policy.name, policy.version)


def _all_quoted(rejecting: Sequence[RuleMatch], comment: Comment, findings: Sequence[Finding]) -> str:
    """Where the rejecting evidence lies if every span of it is quoted ("in quotation marks", "from the
    article", "from the parent comment"); empty when any of it is the writer's own words."""
    regions = [(m.start(), m.end(), "in quotation marks") for m in _QUOTED.finditer(comment.text)]
    names = {"quotes_article": "from the article", "quotes_parent": "from the parent comment"}
    regions += [(s.start, s.end, names[f.label]) for f in findings if f.analyser == "quotes" and f.label in names
                for s in f.spans]
    spans = [s for m in rejecting for s in m.spans]
    where = []
    for span in spans:
        inside = [name for a, b, name in regions if a <= span.start and span.end <= b]
        if not inside:
            return ""
        where.append(inside[0])
    return ", ".join(dict.fromkeys(where))


def _label_matches(policy: Policy, findings: Sequence[Finding]) -> list[RuleMatch]:
    out = []
    scores = {(f.analyser, f.label): f.score for f in findings}
    for rule in policy.rules:
        if any(scores.get((analyser, label), 0.0) >= least for analyser, label, least in rule.unless):
            continue
        for item in findings:
            if item.analyser == rule.analyser and item.label == rule.label and item.score >= rule.min_score:
                spans = item.spans or _spans_of(findings, rule.analyser)
                reason = f"{rule.name}: {rule.label} {item.score:.2f} ≥ {rule.min_score:.2f}"
                out.append(RuleMatch(rule.name, rule.action, reason, spans, item.score, rule.min_score,
                                     item.analyser, item.analyser_version))
    return out


def _spans_of(findings: Sequence[Finding], analyser: str) -> tuple[Span, ...]:
    """A category finding may carry no span of its own; the analyser's other findings still point."""
    return tuple(s for f in findings if f.analyser == analyser for s in f.spans)


def _word_matches(policy: Policy, comment: Comment, language: str) -> list[RuleMatch]:
    out = []
    for hit in policy.words.match(comment.text, language):
        action = "reject" if hit.kind == "banned" else "review"
        out.append(RuleMatch(f"words.{hit.kind}", action, f"{hit.kind} word list: {hit.entry!r}", (hit.span,),
                             analyser="words", analyser_version=policy.version))
    return out


def language_of_findings(findings: Sequence[Finding]) -> str:
    """The language the toxicity model read a comment in (its findings say so); English when none says."""
    return next((str(f.detail["language"]) for f in findings if f.analyser == "toxicity" and "language" in f.detail
                 and f.label != "language_unsupported"), "en")


def _language_matches(policy: Policy, findings: Sequence[Finding]) -> list[RuleMatch]:
    """A comment no model could read is held (or rejected) with the language named, never approved unseen."""
    for item in findings:
        if item.analyser == "toxicity" and item.label == "language_unsupported":
            code = str(item.detail.get("language", "und"))
            what = "a script" if code == "und" else f"language {language_name(code)} ({code}), which"
            reason = f"written in {what} no conduct model here reads: held for a person to read"
            return [RuleMatch("language", policy.unsupported_language_action, reason,
                              analyser=item.analyser, analyser_version=item.analyser_version)]
    return []


def _link_matches(policy: Policy, comment: Comment) -> list[RuleMatch]:
    if policy.links_action is None:
        return []
    spans = tuple(Span(m.start(), m.end(), "link") for m in _LINK.finditer(comment.text))
    return [RuleMatch("links", policy.links_action, "contains a link", spans)] if spans else []


def _history_matches(policy: Policy, history: AuthorHistory | None) -> list[RuleMatch]:
    if history is None:
        return []
    out = []
    if policy.first_comment_action and history.comments == 0:
        out.append(RuleMatch("first_comment", policy.first_comment_action, "the commenter's first comment"))
    rule = policy.history
    decided = history.approved + history.rejected
    if rule and decided >= rule.min_decisions and history.rejection_rate > rule.max_rejection_rate:
        reason = f"recent history: {history.rejected} of {decided} comments rejected in {rule.window_days} days"
        out.append(RuleMatch("history", rule.action, reason, score=history.rejection_rate,
                             threshold=rule.max_rejection_rate))
    return out


def statement_of_reasons(suggestion: Suggestion, comment: Comment) -> str:
    """A draft for the commenter (DSA-style statement of reasons), for a moderator to edit."""
    if suggestion.action == "approve":
        return "Your comment was published."
    match = suggestion.deciding
    assert match is not None
    what = "was removed" if suggestion.action == "reject" else "is held for review by a moderator"
    quoted = ", ".join(f"“{comment.text[s.start:s.end]}”" for s in match.spans[:3])
    evidence = f" The words concerned: {quoted}." if quoted else ""
    automated = ""
    if match.analyser:
        automated = f" This was suggested automatically ({match.analyser} {match.analyser_version})."
    return (f"Your comment {what} under our rule “{match.rule}” ({match.reason}).{evidence}{automated} "
            "Moderation here concerns how something is said, never the opinion expressed. You may ask for a review.")

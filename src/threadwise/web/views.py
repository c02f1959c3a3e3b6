"""What the templates show, read from the store: queue items with their evidence, context and author history.

Plain data only; the templates escape every string they write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from threadwise.analysers.heads import MissingHead
from threadwise.analysers.target import TargetAnalyser
from threadwise.model import Comment, Decision, Finding, Thread
from threadwise.moderation import evidence_items
from threadwise.policy import AuthorHistory, Policy
from threadwise.statements import Draft, current_statement, draft_statement
from threadwise.store import OPEN_STATES, QueueItem, Report, Statement, Store
from threadwise.store.queue import is_policy_actor
from threadwise.web.highlight import Segment, Why, marks_from_evidence, segments, why_held

__all__ = ["OPEN_STATES", "ItemReader", "ItemView", "reason_choices"]
HISTORY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Quote:
    """A passage of the article (or of the parent comment) that the comment repeats."""

    source: str  # "article" or "parent"
    passage: str
    paragraph: int | None = None


@dataclass(frozen=True)
class ItemView:
    item: QueueItem
    segments: list[Segment]
    rules: list[dict[str, Any]]  # the policy's rule matches behind the suggestion
    why: list[Why]  # the same, in plain words with the words each rests on
    article_title: str
    parent: Comment | None
    quotes: list[Quote]
    history: AuthorHistory | None
    history_days: int
    suggested_reason: str  # the reason picker's preselected choice
    statement: Draft | None  # the draft statement of reasons for the commenter, once a person held or removed it
    written: Statement | None  # the statement saved or sent for the current decision
    reports: list[Report]  # readers' reports since the latest decision

    @property
    def comment(self) -> Comment:
        return self.item.comment

    @property
    def suggestion(self) -> Decision | None:
        return self.item.suggestion

    @property
    def decided_by_person(self) -> Decision | None:
        decision = self.item.decision
        return decision if decision is not None and not is_policy_actor(decision.actor) else None


@dataclass(frozen=True)
class ReasonChoice:
    value: str
    label: str


def reason_choices(policy: Policy) -> list[ReasonChoice]:
    """The rejection reasons a moderator picks from: the policy's conduct rules, then the word lists."""
    choices = [ReasonChoice(rule.description or rule.name, f"{rule.name}: {rule.description or rule.label}")
               for rule in policy.rules if rule.action in ("reject", "review")]  # fmt: skip
    choices.append(ReasonChoice("uses words this site does not allow", "words: banned or suspect word list"))
    choices.append(ReasonChoice("spam or repeated posting", "spam: repeated or commercial posting"))
    return choices


@lru_cache(maxsize=1)
def group_words() -> frozenset[str]:
    """Words that name groups of people (the target analyser's lexicon); none where the lexicon is missing."""
    try:
        return TargetAnalyser().setup().group_words_
    except MissingHead:
        return frozenset()


class ItemReader:
    """Builds item views, loading each thread and its findings once per page."""

    def __init__(self, store: Store, policy: Policy) -> None:
        self.store = store
        self.policy = policy
        self.window = policy.history.window_days if policy.history else HISTORY_WINDOW_DAYS
        self._reasons = {rule.name: rule.description or rule.name for rule in policy.rules}
        self._threads: dict[str, Thread] = {}
        self._findings: dict[str, list[Finding]] = {}

    def views(self, items: Sequence[QueueItem]) -> list[ItemView]:
        return [self.view(item) for item in items]

    def view(self, item: QueueItem) -> ItemView:
        comment = item.comment
        thread = self._thread(comment.thread_id)
        evidence = [e for e in evidence_items(item.suggestion) if "rule" in e] if item.suggestion else []
        parent = None
        if comment.parent_id and thread.has_comment(comment.parent_id):
            parent = thread.get_comment(comment.parent_id)
        history = None  # an anonymous comment has no history to show
        if comment.author_key:
            history = self.store.author_history(comment.author_key, self.window, excluding=comment.id)
        return ItemView(
            item=item, segments=segments(comment.text, marks_from_evidence(evidence)), rules=evidence,
            why=why_held(comment.text, evidence, group_words()),
            article_title=thread.article.title or thread.id, parent=parent,
            quotes=self._quotes(comment, thread, parent), history=history, history_days=self.window,
            suggested_reason=next((self._reasons[e["rule"]] for e in evidence if e["rule"] in self._reasons), ""),
            statement=self._statement(item), written=current_statement(self.store, item),
            reports=self._reports(item),
        )  # fmt: skip

    def _statement(self, item: QueueItem) -> Draft | None:
        decision = item.decision
        if decision is None or is_policy_actor(decision.actor) or decision.action not in ("reject", "escalate"):
            return None
        return draft_statement(self.store, item.comment.id, self.policy)

    def _reports(self, item: QueueItem) -> list[Report]:
        if not item.report_count:
            return []
        return self.store.reports(item.comment.id)[-item.report_count:]

    def _thread(self, thread_id: str) -> Thread:
        if thread_id not in self._threads:
            self._threads[thread_id] = self.store.load_thread(thread_id)
        return self._threads[thread_id]

    def _quotes(self, comment: Comment, thread: Thread, parent: Comment | None) -> list[Quote]:
        if comment.thread_id not in self._findings:
            self._findings[comment.thread_id] = [f for f in self.store.iter_findings(comment.thread_id)
                                                 if f.analyser == "quotes"]  # fmt: skip
        quotes: dict[tuple[str, str], Quote] = {}  # one per passage, however many runs found it
        for found in self._findings[comment.thread_id]:
            if found.comment_id != comment.id:
                continue
            quote = _quote(found, thread, parent)
            if quote is not None:
                quotes[(quote.source, quote.passage)] = quote
        return list(quotes.values())


def _quote(found: Finding, thread: Thread, parent: Comment | None) -> Quote | None:
    detail = found.detail or {}
    if found.label == "quotes_article" and "article_span" in detail:
        start, end = detail["article_span"]
        paragraph = detail.get("article_paragraph")
        return Quote("article", thread.article.text[start:end], paragraph + 1 if isinstance(paragraph, int) else None)
    if found.label == "quotes_parent" and parent is not None and "parent_span" in detail:
        start, end = detail["parent_span"]
        return Quote("parent", parent.text[start:end])
    return None

"""The store: threads, comment versions, runs, findings and decisions in SQLite or PostgreSQL.

``Store.open(url)`` connects and migrates the schema to the newest revision. Every public call is
one transaction: it is stored completely or, if anything fails, not at all. Database errors come
out as ``StoreError``; unknown thread references as ``ThreadNotFound``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from threadwise.errors import StoreError
from threadwise.model import Comment, Decision, Finding, Run, Thread
from threadwise.policy import AuthorHistory
from threadwise.store import access, feedback, queue, records, standing, statements, threads
from threadwise.store.access import ApiKeyRecord, OutboxEvent, WebhookDelivery
from threadwise.store.engine import make_engine, redact, transaction, upgrade_to_head
from threadwise.store.feedback import ScoreSuggestion
from threadwise.store.queue import OPEN_STATES, STATES, Claim, DecisionRequest, QueueItem, Report
from threadwise.store.standing import AuthorAction
from threadwise.store.statements import Statement
from threadwise.store.threads import CommentVersion, SaveResult, ThreadSummary

__all__ = [
    "OPEN_STATES", "STATES", "ApiKeyRecord", "AuthorAction", "Claim", "CommentVersion", "DecisionRequest", "QueueItem",
    "Report", "SaveResult", "ScoreSuggestion", "Statement", "Store", "ThreadSummary", "WebhookDelivery",
]  # fmt: skip


class Store:
    """A connected, migrated database. Use ``Store.open``; close it (or use ``with``) when done."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self.url = url  # password masked: safe to print

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to ``url`` (``sqlite:///path.db`` or ``postgresql+psycopg://...``) and migrate it."""
        engine = make_engine(url)
        store = cls(engine, redact(url))
        try:
            with store._errors("cannot open the database"):
                upgrade_to_head(engine)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    # --- threads ---------------------------------------------------------------------------

    def save_thread(self, thread: Thread, run_id: str | None = None) -> SaveResult:
        with self._write(f"cannot save thread {thread.id}") as conn:
            return threads.save_thread(conn, thread, run_id, _now())

    def load_thread(self, thread_id: str) -> Thread:
        with self._read(f"cannot load thread {thread_id}") as conn:
            return threads.load_thread(conn, thread_id)

    def load_reply_context(self, thread_id: str, parent_id: str | None) -> threads.ReplyContext:
        """The article, the reply chain above ``parent_id`` and the next position: a new comment's context."""
        with self._read(f"cannot load thread {thread_id}") as conn:
            return threads.load_reply_context(conn, thread_id, parent_id)

    def has_thread(self, thread_id: str) -> bool:
        with self._read(f"cannot look up thread {thread_id}") as conn:
            return threads.has_thread(conn, thread_id)

    def list_threads(self) -> list[threads.ThreadSummary]:
        with self._read("cannot list threads") as conn:
            return threads.list_threads(conn)

    def resolve_thread_id(self, ref: str) -> str:
        with self._read(f"cannot look up thread {ref!r}") as conn:
            return threads.resolve_thread_id(conn, ref)

    def comment_versions(self, comment_id: str) -> list[CommentVersion]:
        with self._read(f"cannot read versions of comment {comment_id}") as conn:
            return threads.versions_of(conn, comment_id)

    # --- runs, findings, decisions --------------------------------------------------------------

    def save_run(self, run: Run) -> None:
        with self._write(f"cannot save run {run.id}") as conn:
            records.save_run(conn, run)

    def load_run(self, run_id: str) -> Run | None:
        with self._read(f"cannot load run {run_id}") as conn:
            return records.load_run(conn, run_id)

    def recent_runs(self, limit: int = 20) -> list[Run]:
        with self._read("cannot list runs") as conn:
            return records.recent_runs(conn, limit)

    def mark_interrupted_runs(self) -> list[Run]:
        """Mark this host's unfinished runs whose process is gone (killed, crashed) as interrupted."""
        with self._write("cannot mark interrupted runs") as conn:
            return records.mark_interrupted_runs(conn, _now())

    def add_findings(self, findings: Iterable[Finding]) -> int:
        """Append the findings; returns how many were stored."""
        with self._write("cannot store findings") as conn:
            return records.add_findings(conn, findings, _now())

    def iter_findings(self, thread_id: str) -> Iterator[Finding]:
        # Read in full first, so that no connection stays open while the caller iterates.
        with self._read(f"cannot read findings of thread {thread_id}") as conn:
            found = records.thread_findings(conn, thread_id)
        return iter(found)

    def add_decision(self, decision: Decision) -> None:
        with self._write(f"cannot store decision {decision.id}") as conn:
            records.add_decision(conn, decision)

    def iter_decisions(self, comment_id: str | None = None) -> Iterator[Decision]:
        with self._read("cannot read decisions") as conn:
            found = records.list_decisions(conn, comment_id)
        return iter(found)

    # --- the moderation queue -------------------------------------------------------------------

    def add_comment(
        self, comment: Comment, findings: Iterable[Finding] = (), decision: DecisionRequest | None = None
    ) -> tuple[Comment, Decision | None]:
        """Store a new comment after the thread's last, with its findings and first decision, all at once:
        a submitted comment is never stored without the suggestion that places it in a queue."""
        with self._write(f"cannot add a comment to thread {comment.thread_id}") as conn:
            now = _now()
            placed = threads.add_comment(conn, comment, now)
            records.add_findings(conn, findings, now)
            made = queue.append_decisions(conn, [decision], now) if decision else []
            return placed, (made[0] if made else None)

    def append_decisions(self, requests: Sequence[DecisionRequest]) -> list[Decision]:
        """Record decisions, each superseding its comment's latest one; all of them, or none.

        Raises ``CommentNotFound`` for an unknown comment and ``ClaimedByOther`` when a person decides
        a comment another moderator holds.
        """
        with self._write("cannot record decisions") as conn:
            return queue.append_decisions(conn, requests, _now())

    def latest_decision(self, comment_id: str) -> Decision | None:
        decided = list(self.iter_decisions(comment_id))
        return decided[-1] if decided else None

    def queue(
        self, state: str | None = None, *, thread_id: str | None = None, limit: int | None = 50, offset: int = 0,
        text: str | None = None, arrived_after: datetime | None = None,
    ) -> list[QueueItem]:
        """Comments in one queue (``STATES``; None: every comment), oldest first; of one story (``thread_id``),
        whose text contains ``text`` (any case), stored after ``arrived_after``."""
        where = queue.QueueFilter(thread_id, text, arrived_after)
        with self._read("cannot read the queue") as conn:
            return queue.list_queue(conn, state, where, limit, offset, _now())

    def queue_item(self, comment_id: str) -> QueueItem:
        with self._read(f"cannot read comment {comment_id}") as conn:
            return queue.queue_item(conn, comment_id, _now())

    def queue_counts(self, thread_id: str | None = None) -> dict[str, int]:
        with self._read("cannot count the queue") as conn:
            return queue.queue_counts(conn, thread_id, _now())

    def claim(self, comment_id: str, moderator: str, ttl_seconds: float = 300) -> bool:
        """Take the comment for ``moderator`` for ``ttl_seconds``; False when another moderator holds it."""
        with self._write(f"cannot claim comment {comment_id}") as conn:
            return queue.claim(conn, comment_id, moderator, ttl_seconds, _now())

    def release(self, comment_id: str, moderator: str) -> bool:
        with self._write(f"cannot release comment {comment_id}") as conn:
            return queue.release(conn, comment_id, moderator)

    def add_report(self, comment_id: str, reason: str, reporter: str | None = None) -> Report:
        with self._write(f"cannot report comment {comment_id}") as conn:
            return queue.add_report(conn, comment_id, reporter, reason, _now())

    def reports(self, comment_id: str) -> list[Report]:
        with self._read(f"cannot read reports of comment {comment_id}") as conn:
            return queue.reports_of(conn, comment_id)

    def author_items(
        self, author_key: str, states: Sequence[str] | None = None, *, limit: int | None = None
    ) -> list[QueueItem]:
        """The commenter's comments (``Comment.author_key``) on every thread, in ``states`` (None: all)."""
        with self._read(f"cannot read comments by {author_key!r}") as conn:
            return queue.author_items(conn, author_key, states, limit, _now())

    def author_history(
        self, author_key: str, window_days: int = 30, *, excluding: str | None = None
    ) -> AuthorHistory:
        """What the store knows of one commenter (``Comment.author_key``) across every thread over the last
        ``window_days``."""
        with self._read(f"cannot read the history of {author_key!r}") as conn:
            since = _now() - timedelta(days=window_days)
            return queue.author_history(conn, author_key, since, excluding)

    def add_statement(
        self, comment_id: str, decision_id: str, status: str, text: str, ground: str,
        automated: tuple[bool, bool], actor: str,
    ) -> Statement:  # fmt: skip
        """Append a statement of reasons (``automated``: detection, decision); an earlier one is never changed."""
        with self._write(f"cannot store a statement of reasons for comment {comment_id}") as conn:
            return statements.add_statement(conn, comment_id, decision_id, status, text, ground, automated, actor,
                                            _now())  # fmt: skip

    def statements(self, comment_id: str) -> list[Statement]:
        with self._read(f"cannot read statements of comment {comment_id}") as conn:
            return statements.statements_of(conn, comment_id)

    def add_author_action(
        self, author_key: str, action: str, note: str, actor: str, until: datetime | None = None
    ) -> AuthorAction:
        """Append a moderator's action on a commenter (see ``threadwise.standing``); none is ever changed."""
        with self._write(f"cannot record {action} for {author_key!r}") as conn:
            return standing.add_author_action(conn, author_key, action, note, until, actor, _now())

    def author_actions(self, author_key: str) -> list[AuthorAction]:
        with self._read(f"cannot read the actions on {author_key!r}") as conn:
            return standing.author_actions_of(conn, author_key)

    # --- API keys and webhook deliveries -------------------------------------------------------------

    def add_api_key(self, record: ApiKeyRecord) -> None:
        with self._write(f"cannot store API key {record.id}") as conn:
            access.add_key(conn, record)

    def api_key_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        with self._read("cannot look up an API key") as conn:
            return access.key_by_hash(conn, key_hash)

    def list_api_keys(self) -> list[ApiKeyRecord]:
        with self._read("cannot list API keys") as conn:
            return access.list_keys(conn)

    def revoke_api_key(self, key_id: str) -> ApiKeyRecord:
        with self._write(f"cannot revoke API key {key_id}") as conn:
            return access.revoke_key(conn, key_id, _now())

    def add_webhook_deliveries(self, deliveries: list[WebhookDelivery]) -> None:
        with self._write("cannot record webhook deliveries") as conn:
            access.add_deliveries(conn, deliveries)

    def record_webhook_attempt(
        self, delivery_id: str, status: str, status_code: int | None = None, error: str | None = None
    ) -> None:
        with self._write(f"cannot record webhook delivery {delivery_id}") as conn:
            access.record_attempt(conn, delivery_id, status, status_code, error, _now())

    def pending_outbox(self, limit: int = 500) -> list[OutboxEvent]:
        """Recorded events not yet turned into deliveries, oldest first."""
        with self._read("cannot read the webhook outbox") as conn:
            return access.pending_outbox(conn, limit)

    def dispatch_outbox_event(self, event_id: str, deliveries: list[WebhookDelivery]) -> bool:
        """Record an outbox event's deliveries and mark it dispatched, once (False if already done)."""
        with self._write(f"cannot dispatch webhook event {event_id}") as conn:
            return access.dispatch_outbox_event(conn, event_id, deliveries, _now())

    def webhook_deliveries(self, status: str | None = None, limit: int | None = 100) -> list[WebhookDelivery]:
        with self._read("cannot read webhook deliveries") as conn:
            return access.list_deliveries(conn, status, limit)

    # --- moderators' score suggestions (Perspective SuggestCommentScore) ------------------------------

    def add_score_suggestions(self, suggestions: Sequence[ScoreSuggestion]) -> list[int]:
        """Store the suggestions of one request, all or none; returns their ids."""
        with self._write("cannot store score suggestions") as conn:
            return feedback.add_suggestions(conn, suggestions)

    def score_suggestions(
        self, community: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[ScoreSuggestion]:
        """Stored suggestions, oldest first; one community's when ``community`` is given."""
        with self._read("cannot read score suggestions") as conn:
            return feedback.list_suggestions(conn, community, limit, offset)

    def score_suggestion_counts(self) -> dict[str, int]:
        """How many suggestions each community has sent."""
        with self._read("cannot count score suggestions") as conn:
            return feedback.community_counts(conn)

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StoreError(f"{doing}: {detail}", source=self.url) from exc

    @contextmanager
    def _read(self, doing: str) -> Iterator[Connection]:
        with self._errors(doing), transaction(self._engine) as conn:
            yield conn

    @contextmanager
    def _write(self, doing: str) -> Iterator[Connection]:
        with self._errors(doing), transaction(self._engine, write=True) as conn:
            yield conn


def _now() -> datetime:
    return datetime.now(UTC)

"""The moderation queue: each comment's state, claims, reader reports, decisions and author history.

A comment's state is never stored: it derives from its latest decision (none → pending; approve →
approved; reject → rejected; escalate → escalated; anything else, such as review → review) unless a
reader reported it after that decision (→ reported). So the append-only decisions stay the one truth, and a
state cannot drift from the audit trail.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public
call in one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from threadwise.errors import ClaimedByOther, CommentNotFound, ModerationError
from threadwise.model import Comment, Decision
from threadwise.policy import AuthorHistory
from threadwise.store.access import OutboxEvent, add_outbox_event
from threadwise.store.records import add_decision, decision_from_row
from threadwise.store.schema import claims, comment_versions, comments, decisions, reports
from threadwise.store.threads import comment_from_row, latest_version

STATES = ("pending", "review", "escalated", "reported", "approved", "rejected")
# What a person still has to act on in the everyday queue, most urgent first; escalated items wait for a senior.
OPEN_STATES = ("reported", "review", "pending")
# Decisions whose actor starts so are the policy's suggestions; every other actor is a person.
POLICY_ACTOR = "policy:"
DECIDED_EVENT = "comment.decided"


def is_policy_actor(actor: str) -> bool:
    return actor.startswith(POLICY_ACTOR)


@dataclass(frozen=True, slots=True)
class Claim:
    comment_id: str
    moderator: str
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    comment_id: str
    reporter: str | None
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One comment as a moderator sees it in a queue."""

    comment: Comment
    state: str
    decision: Decision | None  # the latest, by anyone
    suggestion: Decision | None  # the latest by the policy
    claim: Claim | None  # only while it has not expired
    reported_at: datetime | None  # the newest report, open or not
    report_count: int = 0  # reports filed since the latest decision (the ones that put it in "reported")

    @property
    def thread_id(self) -> str:
        return self.comment.thread_id


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """A decision to record; the store fills in its id, time and the decision it supersedes."""

    comment_id: str
    action: str
    actor: str
    reason: str = ""
    evidence: tuple[str, ...] = ()


# --- decisions -----------------------------------------------------------------------------------


def append_decisions(conn: Connection, requests: Sequence[DecisionRequest], now: datetime) -> list[Decision]:
    """Record the decisions, each superseding its comment's latest; all of them or, on a refusal, none.

    A person may not decide a comment someone else holds; deciding ends the decider's own claim.
    """
    ids = sorted({r.comment_id for r in requests})
    _lock_comments(conn, ids)
    holders = {c.comment_id: c for c in _live_claims(conn, ids, now)}
    latest = _latest_decision_ids(conn, ids)
    made = []
    for request in requests:
        holder = holders.get(request.comment_id)
        if holder and holder.moderator != request.actor and not is_policy_actor(request.actor):
            raise ClaimedByOther(
                f"comment {request.comment_id} is claimed by {holder.moderator} until "
                f"{holder.expires_at.isoformat(timespec='seconds')}",
                source=request.comment_id,
            )
        decision = Decision(
            id=uuid.uuid4().hex, comment_id=request.comment_id, action=request.action, actor=request.actor,
            decided_at=now, reason=request.reason, evidence=request.evidence,
            supersedes=latest.get(request.comment_id),
        )  # fmt: skip
        latest[request.comment_id] = decision.id
        add_decision(conn, decision)
        if not is_policy_actor(decision.actor):  # a person's decision is announced; in this transaction
            add_outbox_event(conn, OutboxEvent(uuid.uuid4().hex, DECIDED_EVENT, decision.comment_id, decision.id, now))
        conn.execute(claims.delete().where(claims.c.comment_id == decision.comment_id,
                                           claims.c.moderator == decision.actor))
        made.append(decision)
    return made


def _lock_comments(conn: Connection, ids: Sequence[str]) -> None:
    """Lock the comments' rows (PostgreSQL; SQLite's write lock covers it) and refuse unknown ids.

    The lock serialises decisions on one comment, so two of them can never supersede the same one.
    """
    query = sa.select(comments.c.id).where(comments.c.id.in_(ids)).order_by(comments.c.id).with_for_update()
    found = set(conn.execute(query).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        raise CommentNotFound(f"no stored comment has id {missing[0]!r}", source=missing[0])


def _latest_decision_ids(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    latest = _latest(decisions.c.comment_id.in_(ids))
    return {row.comment_id: row.id for row in conn.execute(sa.select(latest.c.comment_id, latest.c.id))}


def _latest(*conditions: sa.ColumnElement[bool]) -> sa.Subquery:
    """Each comment's newest decision among those matching ``conditions``."""
    rank = sa.func.row_number().over(
        partition_by=decisions.c.comment_id, order_by=(decisions.c.decided_at.desc(), decisions.c.id.desc())
    )
    ranked = sa.select(
        decisions.c.comment_id, decisions.c.id, decisions.c.action, decisions.c.decided_at, rank.label("rank")
    ).where(*conditions).subquery()  # fmt: skip
    return sa.select(ranked).where(ranked.c.rank == 1).subquery()


def _decisions_by_id(conn: Connection, ids: Iterable[str | None]) -> dict[str, Decision]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = conn.execute(sa.select(decisions).where(decisions.c.id.in_(wanted)))
    return {row.id: decision_from_row(row) for row in rows}


# --- claims --------------------------------------------------------------------------------------


def claim(conn: Connection, comment_id: str, moderator: str, ttl_seconds: float, now: datetime) -> bool:
    """Claim the comment for ``moderator``: True when it is now theirs, False when someone else holds it.

    One's own claim is refreshed and an expired one taken over. Both writes below are conditional on
    what is in the table when they run (the UPDATE re-checks its WHERE under the row lock, the INSERT
    yields to an existing key), so of two moderators racing for one comment exactly one wins.
    """
    if ttl_seconds <= 0:
        raise ModerationError(f"a claim must last some time, got {ttl_seconds} seconds", source=comment_id)
    _lock_comments(conn, [comment_id])
    values = {"moderator": moderator, "claimed_at": now, "expires_at": now + timedelta(seconds=ttl_seconds)}
    open_to_us = sa.or_(claims.c.moderator == moderator, claims.c.expires_at <= now)
    taken = conn.execute(claims.update().where(claims.c.comment_id == comment_id, open_to_us).values(values))
    if taken.rowcount:
        return True
    # RETURNING rather than rowcount: psycopg reports no row count for INSERT … ON CONFLICT.
    inserted = _insert_unless_present(conn).values(comment_id=comment_id, **values).returning(claims.c.comment_id)
    return conn.execute(inserted).first() is not None


def _insert_unless_present(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(claims).on_conflict_do_nothing(index_elements=[claims.c.comment_id])


def release(conn: Connection, comment_id: str, moderator: str) -> bool:
    """End ``moderator``'s claim on the comment; False when they held none."""
    deleted = conn.execute(claims.delete().where(claims.c.comment_id == comment_id, claims.c.moderator == moderator))
    return bool(deleted.rowcount)


def _live_claims(conn: Connection, ids: Sequence[str], now: datetime) -> list[Claim]:
    query = sa.select(claims).where(claims.c.comment_id.in_(ids), claims.c.expires_at > now)
    return [Claim(**row._asdict()) for row in conn.execute(query)]


# --- reports -------------------------------------------------------------------------------------


def add_report(conn: Connection, comment_id: str, reporter: str | None, reason: str, now: datetime) -> Report:
    _lock_comments(conn, [comment_id])
    inserted = reports.insert().values(comment_id=comment_id, reporter=reporter, reason=reason, created_at=now)
    key = conn.execute(inserted).inserted_primary_key
    assert key is not None
    return Report(key[0], comment_id, reporter, reason, now)


def reports_of(conn: Connection, comment_id: str) -> list[Report]:
    query = sa.select(reports).where(reports.c.comment_id == comment_id).order_by(reports.c.created_at, reports.c.id)
    return [Report(**row._asdict()) for row in conn.execute(query)]


# --- the queue -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which comments of a queue to list: one story, text containing words, stored after a moment."""

    thread_id: str | None = None
    text: str | None = None  # case-insensitive substring of the comment's latest text
    arrived_after: datetime | None = None  # stored (first seen) strictly after this: live arrivals


def list_queue(
    conn: Connection, state: str | None, where: QueueFilter, limit: int | None, offset: int, now: datetime
) -> list[QueueItem]:
    """Comments in ``state`` (any state: None), oldest first, a page of ``limit`` (None: all) from ``offset``."""
    if state is not None and state not in STATES:
        raise ModerationError(f"no queue is called {state!r}", fix=f"the queues are {', '.join(STATES)}")
    items = _items(now)
    query = sa.select(items).order_by(items.c.seen, items.c.thread_id, items.c.position, items.c.id)
    if state is not None:
        query = query.where(items.c.state == state)
    if where.thread_id is not None:
        query = query.where(items.c.thread_id == where.thread_id)
    if where.text and where.text.strip():
        wanted = where.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(items.c.text.ilike(f"%{wanted}%", escape="\\"))
    if where.arrived_after is not None:
        query = query.where(items.c.first_seen_at > where.arrived_after)
    return _to_items(conn, list(conn.execute(query.limit(limit).offset(offset))))


def queue_item(conn: Connection, comment_id: str, now: datetime) -> QueueItem:
    items = _items(now)
    rows = list(conn.execute(sa.select(items).where(items.c.id == comment_id)))
    if not rows:
        raise CommentNotFound(f"no stored comment has id {comment_id!r}", source=comment_id)
    return _to_items(conn, rows)[0]


def queue_counts(conn: Connection, thread_id: str | None, now: datetime) -> dict[str, int]:
    """How many comments each queue holds (every state named, zero included)."""
    items = _items(now)
    query = sa.select(items.c.state, sa.func.count()).group_by(items.c.state)
    if thread_id is not None:
        query = query.where(items.c.thread_id == thread_id)
    counted: dict[str, int] = {row[0]: row[1] for row in conn.execute(query)}
    return {state: counted.get(state, 0) for state in STATES}


def _items(now: datetime) -> sa.Subquery:
    """Every stored comment with its latest text, latest and suggested decision ids, claim and state."""
    latest = _latest()
    suggested = _latest(decisions.c.actor.startswith(POLICY_ACTOR))
    reported = (
        sa.select(reports.c.comment_id, sa.func.max(reports.c.created_at).label("reported_at"))
        .group_by(reports.c.comment_id)
        .subquery()
    )
    since_decision = sa.or_(latest.c.decided_at.is_(None), reports.c.created_at > latest.c.decided_at)
    open_reports = (
        sa.select(sa.func.count()).select_from(reports)
        .where(reports.c.comment_id == comments.c.id, since_decision)
        .correlate(comments, latest).scalar_subquery()
    )  # fmt: skip
    live = sa.select(claims).where(claims.c.expires_at > now).subquery()
    text = sa.and_(comment_versions.c.comment_id == comments.c.id, comment_versions.c.version == latest_version())
    joined = (
        comments.join(comment_versions, text)
        .outerjoin(latest, latest.c.comment_id == comments.c.id)
        .outerjoin(suggested, suggested.c.comment_id == comments.c.id)
        .outerjoin(reported, reported.c.comment_id == comments.c.id)
        .outerjoin(live, live.c.comment_id == comments.c.id)
    )
    seen = sa.func.coalesce(comments.c.created_at, comments.c.first_seen_at)
    return sa.select(
        comments, comment_versions.c.text, comment_versions.c.language, seen.label("seen"),
        latest.c.id.label("decision_id"), suggested.c.id.label("suggestion_id"), reported.c.reported_at,
        open_reports.label("report_count"),
        live.c.moderator.label("claimed_by"), live.c.claimed_at, live.c.expires_at,
        _state(latest, reported).label("state"),
    ).select_from(joined).subquery("items")  # fmt: skip


def _state(latest: sa.Subquery, reported: sa.Subquery) -> sa.Case[Any]:
    open_report = sa.and_(
        reported.c.reported_at.is_not(None),
        sa.or_(latest.c.decided_at.is_(None), reported.c.reported_at > latest.c.decided_at),
    )
    return sa.case(
        (open_report, "reported"),
        (latest.c.action.is_(None), "pending"),
        (latest.c.action == "approve", "approved"),
        (latest.c.action == "reject", "rejected"),
        (latest.c.action == "escalate", "escalated"),
        else_="review",  # review, and any older action: a person should look
    )


def _to_items(conn: Connection, rows: Sequence[Row[Any]]) -> list[QueueItem]:
    found = _decisions_by_id(conn, [i for r in rows for i in (r.decision_id, r.suggestion_id)])
    return [
        QueueItem(
            comment=comment_from_row(row),
            state=row.state,
            decision=found.get(row.decision_id) if row.decision_id else None,
            suggestion=found.get(row.suggestion_id) if row.suggestion_id else None,
            claim=Claim(row.id, row.claimed_by, row.claimed_at, row.expires_at) if row.claimed_by else None,
            reported_at=row.reported_at,
            report_count=row.report_count or 0,
        )
        for row in rows
    ]


# --- authors -------------------------------------------------------------------------------------


def author_items(
    conn: Connection, author_key: str, states: Sequence[str] | None, limit: int | None, now: datetime
) -> list[QueueItem]:
    """The commenter's comments (by ``Comment.author_key``) on any thread, in ``states`` (None: all), oldest
    first."""
    items = _items(now)
    query = sa.select(items).where(items.c.author_key == author_key)
    if states is not None:
        query = query.where(items.c.state.in_(states))
    query = query.order_by(items.c.seen, items.c.id).limit(limit)
    return _to_items(conn, list(conn.execute(query)))


def author_history(conn: Connection, author_key: str, since: datetime, excluding: str | None) -> AuthorHistory:
    """The author's comments written since ``since``, and how many of theirs were approved or rejected
    since then (by each comment's latest decision). ``excluding`` leaves out the comment being judged."""
    mine = [comments.c.author_key == author_key]
    if excluding is not None:
        mine.append(comments.c.id != excluding)
    written = sa.func.coalesce(comments.c.created_at, comments.c.first_seen_at)
    count = conn.execute(sa.select(sa.func.count()).select_from(comments).where(*mine, written >= since)).scalar_one()
    latest = _latest()
    outcomes = (
        sa.select(latest.c.action, sa.func.count())
        .select_from(latest.join(comments, comments.c.id == latest.c.comment_id))
        .where(*mine, latest.c.decided_at >= since, latest.c.action.in_(("approve", "reject")))
        .group_by(latest.c.action)
    )
    by_action: dict[str, int] = {row[0]: row[1] for row in conn.execute(outcomes)}
    return AuthorHistory(comments=count, approved=by_action.get("approve", 0), rejected=by_action.get("reject", 0))

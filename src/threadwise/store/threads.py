"""Saving and loading threads: articles, comments and the versions of each comment's text.

Functions take an open connection, so the caller decides the transaction; ``Store`` runs each public
call in one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from threadwise.errors import OrphanComment, ThreadNotFound
from threadwise.language import detect_language
from threadwise.model import Article, Comment, Thread
from threadwise.store.schema import articles, comment_versions, comments

MIN_PREFIX = 4

_ARTICLE_FIELDS = (
    "url", "outlet", "title", "author", "image_credit", "author_bio", "republication", "published_at",
    "source_format",
)  # fmt: skip
# Comment fields kept on the comments row and updated in place when a re-ingest changes them.
_COMMENT_FIELDS = ("parent_id", "number", "author", "created_at", "position", "source_id", "author_id")


@dataclass(frozen=True, slots=True)
class SaveResult:
    thread_id: str
    article_created: bool
    added: int
    edited: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What analysing one new comment needs from its stored thread, without loading the whole thread."""

    article: Article
    ancestors: tuple[Comment, ...]  # the reply chain above it, top-level first
    next_position: int


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    id: str
    title: str | None
    outlet: str | None
    author: str | None
    url: str | None
    comment_count: int
    ingested_at: datetime


@dataclass(frozen=True, slots=True)
class CommentVersion:
    comment_id: str
    version: int
    text: str
    text_hash: str
    seen_at: datetime
    run_id: str | None
    language: str | None = None  # identified from this version's text (NULL for rows stored before issue 14)


# --- saving ------------------------------------------------------------------------------------


def save_thread(conn: Connection, thread: Thread, run_id: str | None, now: datetime) -> SaveResult:
    """Store the thread; comments absent from it stay stored, since pages drop removed comments."""
    created = _upsert_article(conn, thread.article, now)
    stored = _stored_comments(conn, thread.id)
    new = [c for c in thread.comments if c.id not in stored]
    known = [c for c in thread.comments if c.id in stored]
    edited = [c for c in known if c.text_hash != stored[c.id]["text_hash"]]
    moved = [c for c in known if any(getattr(c, f) != stored[c.id][f] for f in _COMMENT_FIELDS)]
    _insert_comments(conn, new, now)
    _update_comments(conn, moved)
    versions = [_version_row(c, 1, run_id, now) for c in new]
    versions += [_version_row(c, stored[c.id]["version"] + 1, run_id, now) for c in edited]
    _insert_versions(conn, versions)
    return SaveResult(
        thread_id=thread.id,
        article_created=created,
        added=len(new),
        edited=len(edited),
        unchanged=len(known) - len(edited),
    )


def _upsert_article(conn: Connection, article: Article, now: datetime) -> bool:
    """Insert the article, or update its fields in place; True when it was new."""
    values: dict[str, Any] = {f: getattr(article, f) for f in _ARTICLE_FIELDS}
    values["paragraphs"] = list(article.paragraphs)
    row = conn.execute(sa.select(articles).where(articles.c.id == article.id)).one_or_none()
    if row is None:
        conn.execute(articles.insert().values(id=article.id, ingested_at=now, updated_at=now, **values))
        return True
    if any(getattr(row, k) != v for k, v in values.items()):
        conn.execute(articles.update().where(articles.c.id == article.id).values(updated_at=now, **values))
    return False


def _stored_comments(conn: Connection, thread_id: str) -> dict[str, Mapping[str, Any]]:
    """The thread's stored comments by id, each with its latest version number and text hash."""
    query = (
        sa.select(comments, comment_versions.c.version, comment_versions.c.text_hash)
        .join(comment_versions, comment_versions.c.comment_id == comments.c.id)
        .where(comments.c.thread_id == thread_id, comment_versions.c.version == latest_version())
    )
    return {row.id: dict(row._mapping) for row in conn.execute(query)}


def latest_version() -> sa.ScalarSelect[Any]:
    """Correlated subquery: the highest version of the comment in the enclosing query."""
    newer = comment_versions.alias("newer")
    return (
        sa.select(sa.func.max(newer.c.version)).where(newer.c.comment_id == comments.c.id).scalar_subquery()
    )


def _insert_comments(conn: Connection, new: Sequence[Comment], now: datetime) -> None:
    if not new:
        return
    rows = [
        {"id": c.id, "thread_id": c.thread_id, "first_seen_at": now, "author_key": c.author_key}
        | {f: getattr(c, f) for f in _COMMENT_FIELDS}
        for c in new
    ]
    conn.execute(comments.insert(), rows)


def _update_comments(conn: Connection, moved: Sequence[Comment]) -> None:
    if not moved:
        return
    # Bind names must differ from column names in an executemany UPDATE ... WHERE.
    statement = (
        comments.update()
        .where(comments.c.id == sa.bindparam("b_id"))
        .values({f: sa.bindparam(f"b_{f}") for f in (*_COMMENT_FIELDS, "author_key")})
    )
    rows = [{"b_id": c.id, "b_author_key": c.author_key} | {f"b_{f}": getattr(c, f) for f in _COMMENT_FIELDS}
            for c in moved]  # fmt: skip
    conn.execute(statement, rows)


def _version_row(comment: Comment, version: int, run_id: str | None, now: datetime) -> dict[str, Any]:
    return {
        "comment_id": comment.id,
        "version": version,
        "text": comment.text,
        "text_hash": comment.text_hash,
        "seen_at": now,
        "run_id": run_id,
        "language": comment.language or detect_language(comment.text).code,
    }


def _insert_versions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(comment_versions.insert(), list(rows))


def add_comment(conn: Connection, comment: Comment, now: datetime) -> Comment:
    """Store one new comment after the thread's last; returns it with the position it was given.

    The position is taken inside the transaction, so comments submitted together still get distinct,
    ordered places (SQLite serialises writers; on PostgreSQL the article row is locked for it).
    """
    article = sa.select(articles.c.id).where(articles.c.id == comment.thread_id).with_for_update()
    if conn.execute(article).first() is None:
        raise ThreadNotFound(f"no stored thread has id {comment.thread_id!r}", source=comment.thread_id)
    last = conn.execute(
        sa.select(sa.func.max(comments.c.position)).where(comments.c.thread_id == comment.thread_id)
    ).scalar_one()
    placed = replace(comment, position=0 if last is None else last + 1)
    _insert_comments(conn, [placed], now)
    _insert_versions(conn, [_version_row(placed, 1, None, now)])
    return placed

# --- loading -----------------------------------------------------------------------------------


def load_thread(conn: Connection, thread_id: str) -> Thread:
    """The thread with the latest text of every comment ever stored for it, in page order."""
    row = conn.execute(sa.select(articles).where(articles.c.id == thread_id)).one_or_none()
    if row is None:
        raise ThreadNotFound(f"no stored thread has id {thread_id!r}", source=thread_id)
    query = (
        sa.select(comments, comment_versions.c.text, comment_versions.c.language)
        .join(comment_versions, comment_versions.c.comment_id == comments.c.id)
        .where(comments.c.thread_id == thread_id, comment_versions.c.version == latest_version())
        # Comments kept from an earlier ingest may share a position with new ones; first seen wins.
        .order_by(comments.c.position, comments.c.first_seen_at, comments.c.id)
    )
    loaded = tuple(comment_from_row(r) for r in conn.execute(query))
    return Thread(article=_article_from_row(row), comments=loaded)


def load_reply_context(conn: Connection, thread_id: str, parent_id: str | None) -> ReplyContext:
    """The article, the chain of comments above ``parent_id`` (latest texts) and the next free position."""
    row = conn.execute(sa.select(articles).where(articles.c.id == thread_id)).one_or_none()
    if row is None:
        raise ThreadNotFound(f"no stored thread has id {thread_id!r}", source=thread_id)
    last = conn.execute(
        sa.select(sa.func.max(comments.c.position)).where(comments.c.thread_id == thread_id)
    ).scalar_one()
    chain: list[Comment] = []
    current = parent_id
    while current is not None and all(c.id != current for c in chain):  # stored threads hold no cycles; be sure
        found = conn.execute(
            sa.select(comments, comment_versions.c.text, comment_versions.c.language)
            .join(comment_versions, comment_versions.c.comment_id == comments.c.id)
            .where(comments.c.id == current, comments.c.thread_id == thread_id,
                   comment_versions.c.version == latest_version())
        ).first()
        if found is None:
            raise OrphanComment(f"the reply's parent {current!r} is not in thread {thread_id}", source=thread_id)
        chain.append(comment_from_row(found))
        current = chain[-1].parent_id
    return ReplyContext(_article_from_row(row), tuple(reversed(chain)), 0 if last is None else last + 1)


def _article_from_row(row: Row[Any]) -> Article:
    fields = {f: getattr(row, f) for f in _ARTICLE_FIELDS}
    return Article(id=row.id, paragraphs=tuple(row.paragraphs), **fields)


def comment_from_row(row: Row[Any]) -> Comment:
    fields = {f: getattr(row, f) for f in _COMMENT_FIELDS}
    return Comment(id=row.id, thread_id=row.thread_id, text=row.text, language=getattr(row, "language", None),
                   **fields)


def has_thread(conn: Connection, thread_id: str) -> bool:
    return conn.execute(sa.select(articles.c.id).where(articles.c.id == thread_id)).first() is not None


def list_threads(conn: Connection) -> list[ThreadSummary]:
    count = (
        sa.select(sa.func.count())
        .select_from(comments)
        .where(comments.c.thread_id == articles.c.id)
        .scalar_subquery()
    )
    query = sa.select(
        articles.c.id, articles.c.title, articles.c.outlet, articles.c.author, articles.c.url,
        count.label("comment_count"), articles.c.ingested_at,
    ).order_by(articles.c.ingested_at.desc(), articles.c.id)  # fmt: skip
    return [ThreadSummary(**row._asdict()) for row in conn.execute(query)]


def resolve_thread_id(conn: Connection, ref: str) -> str:
    """The id that ``ref`` names: an exact id, or a unique prefix of at least MIN_PREFIX characters."""
    ref = ref.strip()
    if has_thread(conn, ref):
        return ref
    if len(ref) < MIN_PREFIX:
        raise ThreadNotFound(
            f"no stored thread has id {ref!r}, and a prefix needs at least {MIN_PREFIX} characters",
            source=ref,
        )
    query = sa.select(articles.c.id).where(articles.c.id.startswith(ref, autoescape=True))
    # SQLite's LIKE ignores case and PostgreSQL's does not; re-check so both match the same ids.
    matches = sorted(i for i in conn.execute(query).scalars() if i.startswith(ref))
    if not matches:
        raise ThreadNotFound(f"no stored thread id starts with {ref!r}", source=ref)
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise ThreadNotFound(
            f"thread id prefix {ref!r} is ambiguous: it matches {len(matches)} threads ({shown})",
            source=ref,
            fix="give more characters of the id",
        )
    return matches[0]


def versions_of(conn: Connection, comment_id: str) -> list[CommentVersion]:
    query = (
        sa.select(comment_versions)
        .where(comment_versions.c.comment_id == comment_id)
        .order_by(comment_versions.c.version)
    )
    return [CommentVersion(**row._asdict()) for row in conn.execute(query)]

"""The staging index: every valid comment row numbered in input order, in an on-disk SQLite file.

One pass over the inputs checks each row (a bad one goes to the errors file with its line and reason),
numbers the good ones (``seq``: 0, 1, 2… in input order, so partitions are fixed chunks of it), and
keeps them on disk. Partitions are then read back by ``seq`` range with their parents and articles
looked up by key, so a reply finds its parent wherever it is in the input, and memory stays flat
however large the input grows. The file and the errors file are written under temporary names and
renamed when complete: a killed run never leaves a half-built index that looks finished.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from threadwise.batch.errors import CorruptRow, MissingArticle
from threadwise.batch.readers import SourceRow, StagedComment, check_row, iter_articles, iter_rows
from threadwise.ingest.exports_tabular import safe_datetime
from threadwise.model import Article, Comment

STAGING_FILE = "_staging.sqlite"
ERRORS_FILE = "errors.jsonl"
MAX_ANCESTORS = 100  # deeper reply chains are cut here: analysers read the parent, rarely further

_SCHEMA = """
CREATE TABLE comments (seq INTEGER PRIMARY KEY, source INTEGER NOT NULL, line INTEGER, thread_id TEXT NOT NULL,
    comment_id TEXT NOT NULL, parent_id TEXT, text TEXT NOT NULL, author TEXT, created_at TEXT, number TEXT,
    UNIQUE (thread_id, comment_id));
CREATE TABLE articles (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE sources (source INTEGER PRIMARY KEY, path TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StagingCounts:
    comments: int
    corrupt_rows: int
    threads_without_article: int


@dataclass(frozen=True, slots=True)
class RowKey:
    """Where a staged comment came from and what the analysers could see of its context."""

    seq: int
    source: str
    line: int | None
    thread_id: str
    comment_id: str
    parent_id: str | None
    article_found: bool
    parent_found: bool | None  # None: a top-level comment


def build_staging(out: Path, files: Sequence[tuple[str, str]], article_files: Sequence[str],
                  on_row: Callable[[int], None] | None = None) -> StagingCounts:
    """Read every input once into ``out/_staging.sqlite``; corrupt rows and missing articles to errors.jsonl."""
    final, temp = out / STAGING_FILE, out / f"{STAGING_FILE}.tmp"
    temp.unlink(missing_ok=True)
    db = sqlite3.connect(temp)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
    errors_temp = out / f"{ERRORS_FILE}.tmp"
    with open(errors_temp, "w", encoding="utf-8") as errors:
        corrupt = _stage_articles(db, article_files, errors)
        comments, bad_rows = _stage_comments(db, files, errors, on_row)
        missing = _report_missing_articles(db, errors)
    db.commit()
    db.close()
    os.replace(errors_temp, out / ERRORS_FILE)
    os.replace(temp, final)  # last: its presence means staging is complete
    return StagingCounts(comments, corrupt + bad_rows, missing)


def _error(errors: TextIO, kind: str, code: str, reason: str, source: str | None, line: int | None,
           **extra: Any) -> None:
    record = {"kind": kind, "code": code, "source": source, "line": line, "reason": reason, **extra}
    errors.write(json.dumps(record, ensure_ascii=False) + "\n")


def _stage_articles(db: sqlite3.Connection, article_files: Sequence[str], errors: TextIO) -> int:
    bad = 0
    for path in article_files:
        for line, article, problem in iter_articles(path):
            if article is not None and _insert_article(db, article):
                continue
            reason = f"article {article.id!r} occurs twice" if article is not None else problem
            _error(errors, "corrupt_article", CorruptRow.code, reason or "unreadable article", path, line)
            bad += 1
    return bad


def _insert_article(db: sqlite3.Connection, article: Article) -> bool:
    try:
        db.execute("INSERT INTO articles VALUES (?, ?)", (article.id, _article_json(article)))
    except sqlite3.IntegrityError:
        return False
    return True


def _stage_comments(db: sqlite3.Connection, files: Sequence[tuple[str, str]], errors: TextIO,
                    on_row: Callable[[int], None] | None) -> tuple[int, int]:
    seq = bad = 0
    for source_index, (path, kind) in enumerate(files):
        db.execute("INSERT INTO sources VALUES (?, ?)", (source_index, path))
        for row in iter_rows(path, kind):
            problem = _stage_row(db, seq, source_index, row)
            if problem is None:
                seq += 1
            else:
                _error(errors, "corrupt_row", CorruptRow.code, problem, row.source, row.line)
                bad += 1
            if on_row is not None and (seq + bad) % 1000 == 0:
                on_row(seq + bad)
    if on_row is not None:
        on_row(seq + bad)
    return seq, bad


def _stage_row(db: sqlite3.Connection, seq: int, source_index: int, row: SourceRow) -> str | None:
    """None when the row was staged, else why it was not."""
    if row.cells is None:
        return row.error or "unreadable row"
    checked = check_row(row.cells)
    if isinstance(checked, str):
        return checked
    if row.article is not None:
        _insert_article(db, row.article)
    try:
        db.execute("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (seq, source_index, row.line, checked.thread_id, checked.comment_id, checked.parent_id,
                    checked.text, checked.author, checked.created_at, checked.number))
    except sqlite3.IntegrityError:
        first = db.execute("SELECT s.path, c.line FROM comments c JOIN sources s USING (source) "
                           "WHERE thread_id = ? AND comment_id = ?", (checked.thread_id, checked.comment_id)).fetchone()
        return (f"comment id {checked.comment_id!r} occurs twice in thread {checked.thread_id!r} "
                f"(first: {first[0]}, line {first[1]})")
    return None


def _report_missing_articles(db: sqlite3.Connection, errors: TextIO) -> int:
    rows = db.execute("SELECT thread_id, COUNT(*), MIN(seq) FROM comments WHERE thread_id NOT IN "
                      "(SELECT id FROM articles) GROUP BY thread_id ORDER BY MIN(seq)").fetchall()
    for thread_id, count, _ in rows:
        _error(errors, "missing_article", MissingArticle.code,
               "no article for this thread: its comments are analysed without the article", None, None,
               thread_id=thread_id, comments=count)
    return len(rows)


def _article_json(article: Article) -> str:
    record = asdict(article)
    record["published_at"] = article.published_at.isoformat() if article.published_at else None
    return json.dumps(record, ensure_ascii=False)


def _article_from_json(body: str) -> Article:
    record = json.loads(body)
    record["paragraphs"] = tuple(record["paragraphs"])
    record["published_at"] = safe_datetime(record["published_at"])
    return Article(**record)


# --- reading partitions back ------------------------------------------------------------------------------


class Staging:
    """Read access to a complete staging index (one connection per driver)."""

    def __init__(self, out: Path) -> None:
        self.db = sqlite3.connect(out / STAGING_FILE)
        self.sources = dict(self.db.execute("SELECT source, path FROM sources").fetchall())

    def close(self) -> None:
        self.db.close()

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0])

    def partition(self, start: int, stop: int) -> tuple[list[RowKey], list[tuple[Comment, Article | None,
                                                                               tuple[Comment, ...]]]]:
        """Rows ``start <= seq < stop``: their keys, and per row (comment, article, ancestors)."""
        articles: dict[str, Article | None] = {}
        keys, items = [], []
        for row in self.db.execute(f"SELECT {_COLUMNS} FROM comments WHERE seq >= ? AND seq < ? ORDER BY seq",
                                   (start, stop)):
            staged, seq, source, line = _staged(row)
            if staged.thread_id not in articles:
                articles[staged.thread_id] = self._article(staged.thread_id)
            ancestors = tuple(self._ancestors(staged))
            parent_found = None if staged.parent_id is None else bool(ancestors)
            comment = _comment(seq, staged, ancestors[0] if ancestors else None)
            article = articles[staged.thread_id]
            keys.append(RowKey(seq, self.sources[source], line, staged.thread_id, staged.comment_id,
                               staged.parent_id, article is not None, parent_found))
            items.append((comment, article, ancestors))
        return keys, items

    def _article(self, thread_id: str) -> Article | None:
        found = self.db.execute("SELECT body FROM articles WHERE id = ?", (thread_id,)).fetchone()
        return _article_from_json(found[0]) if found else None

    def _ancestors(self, staged: StagedComment) -> Iterator[Comment]:
        seen: set[str] = {staged.comment_id}
        parent_id = staged.parent_id
        while parent_id is not None and parent_id not in seen and len(seen) <= MAX_ANCESTORS:
            seen.add(parent_id)
            row = self.db.execute(f"SELECT {_COLUMNS} FROM comments WHERE thread_id = ? AND comment_id = ?",
                                  (staged.thread_id, parent_id)).fetchone()
            if row is None:
                return
            parent, seq, _, _ = _staged(row)
            grandparent = self._seq_of(parent.thread_id, parent.parent_id)
            yield _comment(seq, parent, None, grandparent)
            parent_id = parent.parent_id

    def _seq_of(self, thread_id: str, comment_id: str | None) -> int | None:
        if comment_id is None:
            return None
        found = self.db.execute("SELECT seq FROM comments WHERE thread_id = ? AND comment_id = ?",
                                (thread_id, comment_id)).fetchone()
        return int(found[0]) if found else None


_COLUMNS = "seq, source, line, thread_id, comment_id, parent_id, text, author, created_at, number"


def _staged(row: tuple[Any, ...]) -> tuple[StagedComment, int, int, int | None]:
    seq, source, line, thread_id, comment_id, parent_id, text, author, created_at, number = row
    return StagedComment(thread_id, comment_id, text, parent_id, author, created_at, number), seq, source, line


def _comment(seq: int, staged: StagedComment, parent: Comment | None, parent_seq: int | None = None) -> Comment:
    """The comment as analysers see it: ids are the staging ``seq`` (unique across threads and files)."""
    if parent is not None:
        parent_seq = int(parent.id)
    return Comment(id=str(seq), thread_id=staged.thread_id, text=staged.text, position=seq,
                   parent_id=None if parent_seq is None else str(parent_seq), number=staged.number,
                   author=staged.author, created_at=safe_datetime(staged.created_at),
                   source_id=staged.comment_id)

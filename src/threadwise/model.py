"""The data model: frozen, ID-linked records that pickle to workers and map to SQL rows directly.

Objects refer to each other by id, never by pointer. A ``Thread`` checks on construction that its
comments form a tree (no duplicate ids, no orphans, no cycles), so every later stage may rely on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from threadwise.errors import DuplicateCommentId, ForeignComment, OrphanComment, ReplyCycle
from threadwise.owner import Owner

# Names sources give commenters who gave none: never one person.
ANONYMOUS_NAMES = frozenset({"anonymous", "anon", "guest", "anonymous coward", "unknown", ""})


def make_id(*parts: object) -> str:
    """A stable 16-hex-digit id from the parts: the same page gives the same ids on every ingest."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Content hash used to tell an edited comment from an unchanged one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets ``[start, end)`` into a stored text (a comment's or the article's)."""

    start: int
    end: int
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"span [{self.start}, {self.end}) is not a valid range")

    def fits(self, text: str) -> bool:
        return self.end <= len(text)


@dataclass(frozen=True, slots=True)
class Article:
    """The article a comment section answers. ``paragraphs`` are the body; ``text`` joins them."""

    id: str
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    author: str | None = None
    paragraphs: tuple[str, ...] = ()
    image_credit: str | None = None
    author_bio: str | None = None
    republication: str | None = None  # a republished piece's notice ("originally published by …, with permission")
    published_at: datetime | None = None
    source_format: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Comment:
    """One reader comment.

    ``number`` is the page's own label ("1", "3", "5"… gaps kept, never renumbered; None when the
    page shows none); ``position`` is the order in which the page rendered it (0-based). ``language`` is
    the ISO 639-1 code identified from the text (``threadwise.language``), filled in by the store; it
    follows from the text, so it takes no part in comparing comments.
    """

    id: str
    thread_id: str
    text: str
    position: int
    parent_id: str | None = None
    number: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    source_id: str | None = None
    author_id: str | None = None  # the source's own account id ("wordpress:17", "coral:u-1"), when it has one
    language: str | None = field(default=None, compare=False)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    @property
    def label(self) -> str:
        """How the comment is numbered wherever it is shown (show, report, queue): the page's own number, else
        its place on the page counted from 1."""
        return self.number or str(self.position + 1)

    @property
    def author_key(self) -> str | None:
        """Who wrote it, as far as the source can tell: its account id, else the name within this thread only
        (two readers who call themselves "chris" on different pages are not one person); None: anonymous."""
        if self.author_id:
            return f"id:{self.author_id}"
        if self.author and self.author.strip().casefold() not in ANONYMOUS_NAMES:
            return f"name:{self.thread_id}:{self.author}"
        return None


@dataclass(frozen=True, slots=True)
class Thread:
    """An article with its comments, ordered by ``position``; integrity is checked on construction."""

    article: Article
    comments: tuple[Comment, ...] = ()
    # What a reader of this input should know about how it was read (say, comments a script loads): not stored.
    notes: tuple[str, ...] = field(default=(), compare=False)
    _by_id: Mapping[str, Comment] = field(init=False, repr=False, compare=False)
    _children: Mapping[str | None, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = _index_comments(self.article.id, self.comments)
        children: dict[str | None, list[str]] = {}
        for comment in self.comments:
            children.setdefault(comment.parent_id, []).append(comment.id)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})
        _check_no_cycles(by_id)

    def __getstate__(self) -> dict[str, Any]:
        return {"article": self.article, "comments": self.comments, "notes": self.notes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "article", state["article"])
        object.__setattr__(self, "comments", state["comments"])
        object.__setattr__(self, "notes", state.get("notes", ()))
        self.__post_init__()

    @property
    def id(self) -> str:
        return self.article.id

    def get_comment(self, comment_id: str) -> Comment:
        return self._by_id[comment_id]

    def has_comment(self, comment_id: str) -> bool:
        return comment_id in self._by_id

    def replies(self, comment_id: str | None) -> tuple[Comment, ...]:
        """Direct replies to a comment (``None``: the top-level comments), in page order."""
        return tuple(self._by_id[c] for c in self._children.get(comment_id, ()))

    def ancestors(self, comment_id: str) -> tuple[Comment, ...]:
        """Parent first, then the parent's parent, up to the top-level comment."""
        chain: list[Comment] = []
        parent = self._by_id[comment_id].parent_id
        while parent is not None:
            chain.append(self._by_id[parent])
            parent = self._by_id[parent].parent_id
        return tuple(chain)

    def depth(self, comment_id: str) -> int:
        return len(self.ancestors(comment_id))

    def iter_comments(self) -> Iterator[Comment]:
        """Depth-first in page order: each comment followed by its replies."""
        stack = list(reversed(self.replies(None)))
        while stack:
            comment = stack.pop()
            yield comment
            stack.extend(reversed(self.replies(comment.id)))


def _index_comments(thread_id: str, comments: tuple[Comment, ...]) -> dict[str, Comment]:
    by_id: dict[str, Comment] = {}
    for comment in comments:
        if comment.id in by_id:
            raise DuplicateCommentId(f"comment id {comment.id!r} occurs twice", source=thread_id)
        if comment.thread_id != thread_id:
            raise ForeignComment(
                f"comment {comment.id!r} belongs to thread {comment.thread_id!r}", source=thread_id
            )
        by_id[comment.id] = comment
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id not in by_id:
            raise OrphanComment(
                f"comment {comment.id!r} replies to {comment.parent_id!r}, which is not in the thread",
                source=thread_id,
            )
    return by_id


def _check_no_cycles(by_id: Mapping[str, Comment]) -> None:
    settled: set[str] = set()  # comments known to reach a top-level comment
    for start in by_id:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in settled:
            if current in on_path:
                raise ReplyCycle(f"replies loop back through comment {current!r}")
            path.append(current)
            on_path.add(current)
            current = by_id[current].parent_id
        settled.update(path)


@dataclass(frozen=True, slots=True)
class Finding:
    """A machine suggestion about one comment: a label, a calibrated score and its evidence."""

    comment_id: str
    analyser: str
    analyser_version: str
    label: str
    score: float
    spans: tuple[Span, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A human or policy act on a comment; append-only, ``supersedes`` names the decision replaced."""

    id: str
    comment_id: str
    action: str
    actor: str
    decided_at: datetime
    reason: str = ""
    evidence: tuple[str, ...] = ()
    supersedes: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of ingest or analysis, recorded so every stored row can name its origin."""

    id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    owner: Owner | None = None  # the process running it, so a run whose process died can be told from a live one
    interrupted_at: datetime | None = None  # when a later process found the owner gone before it finished

    def state(self) -> str:
        """``finished``; ``interrupted`` (its process is gone: killed, crashed); ``running``; ``running elsewhere``
        (started on another host, not checkable from here); ``unknown`` (unfinished, recorded with no owner)."""
        if self.finished_at is not None:
            return "finished"
        if self.interrupted_at is not None:
            return "interrupted"
        if self.owner is None:
            return "unknown"
        alive = self.owner.alive()
        return "running elsewhere" if alive is None else "running" if alive else "interrupted"

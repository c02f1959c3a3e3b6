"""Shared by every parser: turn what a source says about its comments into a checked ``Thread``.

Parsers describe comments by their *source keys* (the page's own comment id, or its number, or its
place on the page); this module turns keys into stable ids, so re-ingesting the same page yields the
same ids and an edited comment is recognised as the same comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

from threadwise.errors import DuplicateCommentId, OrphanComment
from threadwise.model import Article, Comment, Thread, make_id


@dataclass(frozen=True, slots=True)
class RawComment:
    """A comment as a parser found it; ``key`` is unique within the page."""

    key: str
    text: str
    parent_key: str | None = None
    number: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    author_id: str | None = None  # the source's account id, namespaced by the source ("wordpress:17")


def article_id(url: str | None, *fallback: object) -> str:
    """Stable article (= thread) id: from the URL when known, else from identifying content."""
    return make_id("article", url) if url else make_id("article", *fallback)


# "This article was originally published by X and is republished here with permission", "Originally published in
# X.", "Republished with permission from X": the page's notice about the piece, not a paragraph of it. A paragraph
# that merely starts "First published in 1990, the novel…" is body text: the bare form must be the whole paragraph.
_PIECE = r"(?:article|story|piece|op-?ed|essay|column|commentary|post|interview)"
REPUBLICATION = re.compile(
    rf"^(?:this {_PIECE} (?:was|is|has been) (?:originally |first )?(?:published|posted)"
    rf"|this {_PIECE} (?:originally |first )appeared"
    r"|(?:originally|first) (?:published|posted|appeared) (?:by|in|on|at) [^,;]{1,80}\.?$"
    r"|(?:republished|reprinted|reproduced) (?:here )?(?:with (?:kind )?permission )?(?:from|by|of|courtesy)\b)",
    re.I,
)
_NOTICE_CHARS = 300


def split_republication(paragraphs: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    """A republication notice among the first or last two paragraphs, and the paragraphs without it."""
    edges = sorted({*range(min(2, len(paragraphs))), *range(max(0, len(paragraphs) - 2), len(paragraphs))})
    for i in edges:
        if len(paragraphs[i]) <= _NOTICE_CHARS and REPUBLICATION.match(paragraphs[i].strip()):
            return paragraphs[i].strip(), (*paragraphs[:i], *paragraphs[i + 1 :])
    return None, tuple(paragraphs)


def assemble_thread(article: Article, raw_comments: Sequence[RawComment], source: str) -> Thread:
    """Build the thread; duplicate keys and unknown parents raise coded errors naming ``source``. A republication
    notice leaves the paragraphs for its own field (the article's id, already made, does not change)."""
    article = replace(article, paragraphs=tuple(clean_text(p) for p in article.paragraphs))
    if article.republication is None:  # a source that names its notice (an export) keeps its paragraphs as given
        notice, paragraphs = split_republication(article.paragraphs)
        article = replace(article, paragraphs=paragraphs, republication=notice)
    keys: set[str] = set()
    for raw in raw_comments:
        if raw.key in keys:
            raise DuplicateCommentId(f"comment {raw.key!r} occurs twice", source=source)
        keys.add(raw.key)
    comments = []
    for position, raw in enumerate(raw_comments):
        if raw.parent_key is not None and raw.parent_key not in keys:
            raise OrphanComment(
                f"comment {raw.key!r} replies to {raw.parent_key!r}, which is not on the page", source=source
            )
        comments.append(
            Comment(
                id=make_id(article.id, raw.key),
                thread_id=article.id,
                text=clean_text(raw.text),
                position=position,
                parent_id=make_id(article.id, raw.parent_key) if raw.parent_key is not None else None,
                number=raw.number,
                author=raw.author,
                created_at=raw.created_at,
                source_id=raw.key,
                author_id=raw.author_id,
            )
        )
    return Thread(article=article, comments=tuple(comments))


def clean_text(text: str) -> str:
    """NUL characters carry no meaning in a comment and PostgreSQL text cannot hold them."""
    return text.replace("\x00", "")


def parse_datetime(value: object) -> datetime | None:
    """Lenient date parsing for what pages and exports carry; None when absent or unreadable.

    Naive times are taken as UTC so that stored timestamps compare across sources.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        parsed = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=UTC)
    else:
        try:
            parsed = dateutil_parser.parse(str(value))
        except (ValueError, OverflowError):
            return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)

"""Plain-text page dumps: what a person gets by saving or copy-pasting a news page.

The shape read here: an optional photo-credit line, a title, a byline ("By AUTHOR / OUTLET"), the
body paragraphs, the author's name alone on a line followed by a one-paragraph bio, then the comment
section — numbered items ("  1. text", gaps kept, continuation paragraphs indented under the number)
or comments introduced by author/date lines, replies shown by indentation, nested numbers ("3.1"),
"@name" or "In reply to NAME".

The page is split in two at the start of the comment section (an explicit "Comments" header, else
the end of the author's bio, else the last run of numbered items, else the first author/date pair);
the article part is read by ``text_article`` and the comments by ``text_comments``.
"""

from __future__ import annotations

from itertools import pairwise

from threadwise.ingest.assemble import assemble_thread
from threadwise.ingest.decode import decode_text
from threadwise.ingest.text_article import find_bio_end, parse_article
from threadwise.ingest.text_comments import parse_comments
from threadwise.ingest.text_lines import COMMENTS_HEADER, NUMBERED_ITEM, is_date_line, looks_like_name
from threadwise.model import Thread

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def parse(data: bytes, source: str, *, encoding: str | None = None) -> Thread:
    """Parse a plain-text page dump into a thread (0 comments is fine: an article alone)."""
    text = decode_text(data, source, encoding)
    lines = [line.expandtabs(4).rstrip().translate(_INVISIBLE) for line in text.split("\n")]
    article_end, comments_start = find_comment_section(lines)
    article = parse_article(lines[:article_end], source)
    comments = parse_comments(lines[comments_start:])
    return assemble_thread(article, comments, source)


def find_comment_section(lines: list[str]) -> tuple[int, int]:
    """(end of the article part, start of the comment part); both ``len(lines)`` when there is none."""
    body_start = _first_paragraph_end(lines)
    for index in range(body_start, len(lines)):
        if COMMENTS_HEADER.match(lines[index]) and _is_standalone(lines, index):
            return index, index + 1
    bio_end = find_bio_end(lines)
    if bio_end is not None:
        return bio_end, bio_end
    numbered = _last_numbered_run(lines, body_start)
    if numbered is not None:
        return numbered, numbered
    attributed = _first_author_date_pair(lines, body_start)
    if attributed is not None:
        return attributed, attributed
    return len(lines), len(lines)


def _is_standalone(lines: list[str], index: int) -> bool:
    """A header stands alone: a blank line or the page edge above it."""
    return index == 0 or not lines[index - 1].strip()


def _first_paragraph_end(lines: list[str]) -> int:
    """Skip the head and the first body paragraph: a comment section never starts before them."""
    seen_text = False
    for index, line in enumerate(lines):
        if line.strip() and len(line.split()) > 12:
            seen_text = True
        elif seen_text and not line.strip():
            return index
    return len(lines)


def _last_numbered_run(lines: list[str], body_start: int) -> int | None:
    """Start of the run of numbered items that continues, numbers increasing, to the page's end.

    Items must share the run's indentation; lines indented deeper are continuations, so a list
    inside a comment does not break the run. With no indentation at all any line may continue.
    """
    items = [
        (index, match)
        for index in range(body_start, len(lines))
        if (match := NUMBERED_ITEM.match(lines[index])) and "." not in match.group("number")
    ]
    if not items:
        return None
    for start, (index, match) in enumerate(items):
        indent = len(match.group("indent"))
        if _continues_to_end(lines, index, indent, [m for _, m in items[start:]]):
            return index
    return None


def _continues_to_end(lines: list[str], start: int, indent: int, later: list) -> bool:
    numbers = [int(m.group("number")) for m in later if len(m.group("indent")) == indent]
    if any(b <= a for a, b in pairwise(numbers)):
        return False
    if indent == 0:
        return True
    return all(
        not line.strip() or len(line) - len(line.lstrip()) >= indent for line in lines[start:]
    )


def _first_author_date_pair(lines: list[str], body_start: int) -> int | None:
    for index in range(body_start, len(lines) - 1):
        if looks_like_name(lines[index]) and is_date_line(lines[index + 1]):
            return index
    return None

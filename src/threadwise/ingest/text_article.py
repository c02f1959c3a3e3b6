"""The article part of a plain-text page: credit, title, byline, date, body paragraphs, signature/bio."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from threadwise.ingest.assemble import article_id, parse_datetime
from threadwise.ingest.text_lines import (
    BYLINE,
    CREDIT,
    OUTLET_SEPARATOR,
    UI_NOISE,
    looks_like_name,
    normalise_name,
    parse_date_line,
)
from threadwise.model import Article

_HEAD_LINES = 8  # credit, title, standfirst, byline and date sit within the page's first lines
_BIO_VERB = re.compile(r"^(?P<who>[^.,;]{2,60}?)\s+(?:is|was|has been|writes|teaches|works|serves)\b", re.I)
_SENTENCE_END = tuple(".!?:\"”’)")


@dataclass
class _Head:
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    credit: str | None = None
    published: datetime | None = None
    extra: list[str] = field(default_factory=list)


def parse_article(lines: list[str], source: str) -> Article:
    """Read the article part (everything before the comment section)."""
    head, body_lines = _read_head(lines)
    blocks = _blocks(body_lines)
    bio, blocks = _split_bio(blocks, head.author)
    if head.author is None and bio is not None:
        head.author = _bio_subject(bio)
    paragraphs = tuple(head.extra + [p for block in blocks for p in _paragraphs(block)])
    return Article(
        id=article_id(None, head.title, head.author, paragraphs[:1]),
        outlet=head.outlet,
        title=head.title,
        author=head.author,
        paragraphs=paragraphs,
        image_credit=head.credit,
        author_bio=bio,
        published_at=parse_datetime(head.published),
        source_format="text",
    )


def find_bio_end(lines: list[str]) -> int | None:
    """Index just after the author's bio paragraph, when the page has a signature block."""
    head, _ = _read_head(lines)
    for index, line in enumerate(lines):
        if not line.strip() or (index and lines[index - 1].strip()):
            continue
        if _is_signature(line, head.author) and (end := _bio_after(lines, index, line)) is not None:
            return end
    return None


def _read_head(lines: list[str]) -> tuple[_Head, list[str]]:
    head = _Head()
    index = 0
    seen = 0
    while index < len(lines) and seen < _HEAD_LINES:
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        seen += 1
        if not _take_head_line(head, line):
            index -= 1
            break
    return head, lines[index:]


def _take_head_line(head: _Head, line: str) -> bool:
    """Record one head line; False when the line is body text and the head has ended."""
    if head.credit is None and len(line) < 250 and CREDIT.search(line):
        head.credit = line
    elif head.author is None and (match := BYLINE.match(line)):
        head.author, head.outlet, head.published = _split_byline(match.group("who"))
    elif head.published is None and (date := parse_date_line(line)):
        head.published = date
    elif head.title is None and head.author is None and _could_be_title(line):
        head.title = line
    elif head.author is None and head.title is not None and len(line.split()) < 60 and not head.extra:
        head.extra.append(line)  # a standfirst under the title, before the byline: body text
    else:
        return False
    return True


def _could_be_title(line: str) -> bool:
    return len(line) <= 200 and len(line.split()) <= 30 and not UI_NOISE.match(line)


def _split_byline(who: str) -> tuple[str, str | None, datetime | None]:
    parts = [p.strip() for p in OUTLET_SEPARATOR.split(who) if p.strip()]
    author, outlet, published = parts[0], None, None
    for part in parts[1:]:
        if published is None and (date := parse_date_line(part)):
            published = date
        elif outlet is None and not part.lower().startswith(("updated", "published")):
            outlet = part
    return author, outlet, published


def _is_signature(line: str, author: str | None) -> bool:
    if author is not None:
        return normalise_name(line) == normalise_name(author)
    return looks_like_name(line, max_words=4) and " " in line.strip()


def _bio_after(lines: list[str], index: int, name: str) -> int | None:
    """End of the bio paragraph following a signature line at ``index``, or None if none follows."""
    start = index + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    bio = " ".join(line.strip() for line in lines[start:end])
    return end if start < end and _is_bio_of(bio, name) else None


def _is_bio_of(text: str, name: str, max_chars: int = 1200) -> bool:
    """A short paragraph about the named person: "Jane Doe is a writer…", "Doe has been…"."""
    match = _BIO_VERB.match(text)
    return match is not None and len(text) <= max_chars and _same_person(match.group("who"), name)


def _split_bio(blocks: list[list[str]], author: str | None) -> tuple[str | None, list[list[str]]]:
    """Take the signature block (name alone, then bio) or a trailing "NAME is a …" paragraph out of the body."""
    for at, block in enumerate(blocks):
        if not _is_signature(block[0], author) or (len(block) == 1 and at + 1 == len(blocks)):
            continue
        # the bio follows the name line directly, or as the next paragraph
        bio_lines, rest = (block[1:], blocks[at + 1 :]) if len(block) > 1 else (blocks[at + 1], blocks[at + 2 :])
        bio = " ".join(line.strip() for line in bio_lines)
        if _is_bio_of(bio, block[0]):
            return bio, blocks[:at] + rest
    if author and blocks:
        last = " ".join(line.strip() for line in blocks[-1])
        if _is_bio_of(last, author, max_chars=600):
            return last, blocks[:-1]
    return None, blocks


def _same_person(who: str, author: str) -> bool:
    """"Jane Doe" / "Doe" / "Jane" all name the author "Jane Doe" at the start of a bio."""
    words, author_words = normalise_name(who).split(), normalise_name(author).split()
    return bool(words) and (words == author_words or (len(words) == 1 and words[0] in author_words))


def _bio_subject(bio: str) -> str | None:
    match = _BIO_VERB.match(bio)
    return match.group("who").strip() if match else None


def _blocks(lines: list[str]) -> list[list[str]]:
    """Groups of consecutive non-blank lines; page furniture lines (Share, Reply…) dropped."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            blocks.append([])
        elif not UI_NOISE.match(line):
            blocks[-1].append(line)
    return [block for block in blocks if block]


def _paragraphs(block: list[str]) -> list[str]:
    """One paragraph per line when every line ends a sentence (copy-paste), else hard-wrapped lines joined."""
    stripped = [line.strip() for line in block]
    if len(stripped) > 1 and all(line.endswith(_SENTENCE_END) for line in stripped):
        return stripped
    return [" ".join(stripped)]


def paragraphs_of(lines: list[str]) -> list[str]:
    """Paragraph texts of a run of lines (used for comment bodies too)."""
    return [p for block in _blocks(lines) for p in _paragraphs(block)]

"""The comment section of a plain-text page → ``RawComment``s, keeping the page's own numbers.

Two layouts: numbered items ("  1. text", continuation lines indented under the number; "3.1" is a
reply to "3"), and comments introduced by author/date lines (a reply's author line indented deeper).
Replies are also recognised by "In reply to NAME" lines and by a leading "@NAME".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from threadwise.ingest.assemble import RawComment
from threadwise.ingest.text_article import paragraphs_of
from threadwise.ingest.text_lines import (
    MENTION,
    NUMBER_REFERENCE,
    NUMBERED_ITEM,
    REPLY_TO,
    UI_NOISE,
    is_date_line,
    looks_like_name,
    normalise_name,
    parse_date_line,
    split_attribution,
)


@dataclass
class _Draft:
    """A comment being collected line by line."""

    key: str
    indent: int
    number: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    reply_to_name: str | None = None
    reply_to_number: str | None = None
    parent_key: str | None = None
    lines: list[str] = field(default_factory=list)


def parse_comments(lines: list[str]) -> list[RawComment]:
    """Comments of the section, in page order; an unrecognised layout gives one comment per block."""
    drafts = _numbered(lines) or _attributed(lines) or _blocks(lines)
    for draft in drafts:
        _read_meta(draft)
    _link_replies(drafts)
    return [_finish(draft) for draft in _drop_empty(drafts)]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _numbered(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    base: int | None = None  # indentation of top-level numbers, fixed by the first item
    last_top = 0
    for line in lines:
        match = NUMBERED_ITEM.match(line)
        if match and _starts_comment(match, base, last_top, drafts):
            number = match.group("number")
            base = len(match.group("indent")) if base is None else base
            last_top = int(number.split(".")[0])
            parent = number.rsplit(".", 1)[0] if "." in number else None
            drafts.append(_Draft(key=number, indent=_indent(line), number=number, parent_key=parent))
            drafts[-1].lines.append(match.group("text"))
        elif drafts:
            drafts[-1].lines.append(line)
    return drafts


def _starts_comment(match, base: int | None, last_top: int, drafts: list[_Draft]) -> bool:  # type: ignore[no-untyped-def]
    """A numbered line opens a comment when it continues the page's numbering, not a list inside one."""
    number = match.group("number")
    indent = len(match.group("indent"))
    if "." in number:  # "3.1": a reply, if comment 3 exists
        return any(d.number == number.rsplit(".", 1)[0] for d in drafts)
    if base is not None and indent > base:
        return False
    return int(number) > last_top


def _attributed(lines: list[str]) -> list[_Draft]:
    """Comments introduced by "Name" + "date" lines, or one "Name · date" / "Name says:" line."""
    drafts: list[_Draft] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        author, created, header_lines = _comment_header(lines, index)
        if header_lines:
            key = f"{author or ''}|{created.isoformat() if created else ''}"
            drafts.append(_Draft(key=key, indent=_indent(line), author=author, created_at=created))
            index += header_lines
            continue
        if drafts:
            drafts[-1].lines.append(line)
        index += 1
    return drafts


def _comment_header(lines: list[str], index: int) -> tuple[str | None, datetime | None, int]:
    """(author, date, number of header lines) when a comment starts at ``index``; 0 lines if not."""
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if looks_like_name(line) and is_date_line(following):
        return line.strip(), parse_date_line(following), 2
    author, created, recognised = split_attribution(line)
    if recognised and author is not None:
        return author, created, 1
    return None, None, 0


def _blocks(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    fresh = True
    for line in lines:
        if not line.strip():
            fresh = True
        elif not UI_NOISE.match(line):
            if fresh:
                drafts.append(_Draft(key=f"block-{len(drafts) + 1}", indent=_indent(line)))
                fresh = False
            drafts[-1].lines.append(line)
    return drafts


def _read_meta(draft: _Draft) -> None:
    """Take author/date and "in reply to" lines off the top of the comment's text."""
    while draft.lines and not draft.lines[0].strip():
        draft.lines.pop(0)
    if len(draft.lines) > 1:
        author, created, recognised = split_attribution(draft.lines[0])
        if recognised and (author or created):
            draft.author = draft.author or author
            draft.created_at = draft.created_at or created
            draft.lines.pop(0)
    if draft.lines and (match := REPLY_TO.match(draft.lines[0])) and len(draft.lines) > 1:
        draft.reply_to_name = match.group("who")
        draft.lines.pop(0)
    elif draft.lines and (reference := NUMBER_REFERENCE.match(draft.lines[0])):
        draft.reply_to_number = reference.group("number")
    elif draft.lines and (mention := MENTION.match(draft.lines[0])):
        draft.reply_to_name = mention.group("who")


def _link_replies(drafts: list[_Draft]) -> None:
    """Parents from indentation (attributed layout) or from a named author earlier in the thread."""
    _dedupe_keys(drafts)
    for at, draft in enumerate(drafts):
        if draft.parent_key is not None:
            continue
        earlier = drafts[:at]
        if draft.reply_to_number:
            draft.parent_key = next((d.key for d in earlier if d.number == draft.reply_to_number), None)
        if draft.reply_to_name:
            draft.parent_key = _last_by(earlier, draft.reply_to_name)
        if draft.parent_key is None and draft.number is None:
            draft.parent_key = next((d.key for d in reversed(earlier) if d.indent < draft.indent), None)


def _last_by(drafts: list[_Draft], name: str) -> str | None:
    """The latest earlier comment whose author the name (or "@name and more text") starts with."""
    wanted = normalise_name(name) + " "
    return next(
        (d.key for d in reversed(drafts) if d.author and wanted.startswith(normalise_name(d.author) + " ")),
        None,
    )


def _dedupe_keys(drafts: list[_Draft]) -> None:
    """Two comments with the same author and time still need distinct keys: suffix repeats."""
    seen: dict[str, int] = {}
    for draft in drafts:
        count = seen.get(draft.key, 0)
        seen[draft.key] = count + 1
        if count:
            draft.key = f"{draft.key}#{count + 1}"


def _drop_empty(drafts: list[_Draft]) -> list[_Draft]:
    """Drop comments with no text left; their replies move up to the nearest kept ancestor."""
    parent_of = {d.key: d.parent_key for d in drafts}
    kept = [d for d in drafts if paragraphs_of(d.lines)]
    kept_keys = {d.key for d in kept}
    for draft in kept:
        while draft.parent_key is not None and draft.parent_key not in kept_keys:
            draft.parent_key = parent_of.get(draft.parent_key)
    return kept


def _finish(draft: _Draft) -> RawComment:
    return RawComment(
        key=draft.key,
        text="\n\n".join(paragraphs_of(draft.lines)),
        parent_key=draft.parent_key,
        number=draft.number,
        author=draft.author,
        created_at=draft.created_at,
    )

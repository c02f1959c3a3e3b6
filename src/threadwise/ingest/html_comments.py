"""Reading HTML comment elements: the class/id vocabulary, visible text, and one shared builder.

Given the elements that are comments (``html_adapters`` decides which), ``build`` reads text,
author, date, key and number from each and takes the reply tree from DOM nesting (a comment element
inside another is a reply to it). The class/id word lists live here because both the builder and
the finders in ``html_adapters`` read a page through them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from threadwise.ingest.assemble import RawComment, parse_datetime
from threadwise.model import make_id

Skip = Callable[[HtmlElement], bool]


@dataclass
class Found:
    """What an adapter found: the comments, and the elements to cut from the article body."""

    adapter: str
    comments: list[RawComment]
    elements: list[HtmlElement] = field(default_factory=list)


# --- class/id vocabulary --------------------------------------------------------------------------


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Substrings of a class/id that name a comment or a comment section, across the languages seen.
STRONG = re.compile(r"comment|kommentar|koment|coment|leserbrief|leserpost|disqus", re.I)
WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
META = _wordset(
    "author autor benutzer verfasser user username name nick fn vcard avatar meta metadata date time "
    "timestamp datum ago published datetime byline says reply replylink respond antworten actions action "
    "tools toolbar vote votes voting like likes rating rate share sharing report flag permalink edit "
    "moderation awaiting badge menu btn button header footer count number nr num icon"
)
CONTENT_FIRST = _wordset("content text message msg story texte inhalt")
_CONTENT_OF_COMMENT = _wordset("copy quote")  # only beside a comment word: "comment-copy"
_CONTENT_SECOND = _wordset("body entry")
AUTHOR = _wordset("fn author autor benutzer verfasser username user nick commenter name")
DATE = _wordset("date time datetime timestamp datum published ago")
BYLINE = _wordset("meta metadata byline vcard submitted")
_NUMBER = _wordset("number num nr count index")
NOT_ITEM = _wordset("form respond notes closed login subscribe policy title navigation pagination")

ITEM_TAGS = _wordset("article aside blockquote dd div li p section tr")
_BLOCK_TAGS = _wordset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul"
)
# Never text: scripts, forms and controls (a reply form's labels are not the comment).
_HIDDEN_TAGS = _wordset("script style noscript template svg textarea select button form iframe object head title input")
_META_TAGS = _wordset("time footer header nav img figure")
# Links and emphasis hold a name or a button label, never a whole comment.
_INLINE_TAGS = _wordset("a abbr b button cite em i label small strong")
_NUMBER_TEXT = re.compile(r"#?\s*(\d{1,6})\.?")
_SPACE = re.compile(r"\s+")
_AUTHOR_SUFFIX = re.compile(r"\s*(says|sagt|schrieb|meint|dit|dice|écrit)\s*:?\s*$", re.I)
_BREAK = "\x00"


def heads(el: HtmlElement) -> frozenset[str]:
    """The head word of each class name and the id, lower-cased: what the part *is*.

    Compound names put the head last ("cssShareBarCommentsListCommentText" is a text, not a share
    button; "comment-reply-link" is a reply link), so the last word decides, after dropping generic
    suffixes ("-wrapper", "-box", "-link") and numbers.
    """
    found = set()
    for name in [*(el.get("class") or "").split(), el.get("id") or ""]:
        parts = [w.lower() for w in WORDS.findall(name) if not w.isdigit()]
        while len(parts) > 1 and parts[-1] in _GENERIC_SUFFIXES:
            parts.pop()
        if parts:
            found.add(parts[-1])
    return frozenset(found)


_GENERIC_SUFFIXES = _wordset(
    "link links btn button wrapper wrap container box block inner outer holder area el element"
)


def names(el: HtmlElement) -> str:
    """The class and id of ``el`` in one string, for the substring patterns (``STRONG``)."""
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def is_element(el: Any) -> bool:
    return isinstance(getattr(el, "tag", None), str)


def is_meta(el: HtmlElement) -> bool:
    """Author lines, dates, reply links, vote buttons: around a comment, not part of it."""
    if el.tag in _META_TAGS or el.tag in _HIDDEN_TAGS:
        return True
    if not heads(el) & META:
        return False
    # Some themes put the whole comment inside their "comment-author vcard" box: a box holding
    # paragraphs is not a byline, whatever it is called.
    return next(el.iter("p", "blockquote"), None) is None


# --- text ---------------------------------------------------------------------------------------


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def paragraphs(root: HtmlElement, skip: Skip) -> list[str]:
    """Visible text of ``root`` as paragraphs, leaving out subtrees ``skip`` names.

    Iterative, not recursive: broken pages nest thousands of unclosed tags deep.
    """
    pieces: list[str] = [root.text or ""]
    stack: list[Any] = list(reversed(root))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            pieces.append(node)
            continue
        if node.tail:
            stack.append(node.tail)
        if not is_element(node) or node.tag in _HIDDEN_TAGS or skip(node):
            continue
        block = node.tag in _BLOCK_TAGS
        if block:
            stack.append(_BREAK)
        stack.extend(reversed(node))
        stack.append(node.text or "")
        if block:
            stack.append(_BREAK)
    return [p for p in (collapse(s) for s in "".join(pieces).split(_BREAK)) if p]


def text_length(el: HtmlElement) -> int:
    return len(collapse(el.text_content()))


def _own(root: HtmlElement, nested: Skip) -> Iterator[HtmlElement]:
    """Descendants of ``root`` in document order, not entering nested comments."""
    stack = list(reversed(root))
    while stack:
        node = stack.pop()
        if not is_element(node) or nested(node) or node.tag in _HIDDEN_TAGS:
            continue
        yield node
        stack.extend(reversed(node))


# --- the shared builder ---------------------------------------------------------------------------


def build(items: list[HtmlElement]) -> list[RawComment]:
    """Read each comment element; replies are elements nested inside another comment element."""
    texts = {id(el): _comment_text(el, _nested_in(el, items)) for el in items}
    kept = [el for el in items if texts[id(el)] and not is_not_a_comment(el, texts[id(el)])]
    kept_ids = {id(el) for el in kept}
    keys = _unique_keys([_key(el, texts[id(el)], _nested_in(el, kept)) for el in kept])
    key_of = {id(el): key for el, key in zip(kept, keys, strict=True)}
    raws = []
    for el, key in zip(kept, keys, strict=True):
        parent = next((a for a in el.iterancestors() if id(a) in kept_ids), None)
        nested = _nested_in(el, kept)
        raws.append(
            RawComment(
                key=key,
                text=texts[id(el)],
                parent_key=key_of[id(parent)] if parent is not None else None,
                number=_number(el, nested),
                author=_author(el, nested),
                created_at=_date(el, nested),
            )
        )
    return raws


# WordPress marks links from other sites so; they sit in the comment list but no reader wrote them.
_LINKBACK_CLASSES = frozenset({"pingback", "trackback", "linkback"})
# What comment sections say in place of comments, or around them: never a reader's comment.
_BOILERPLATE = re.compile(
    r"^\W*(there are no comments( yet)?|no comments( yet)?|be the first to (comment|leave a (comment|reply))"
    r"|(es gibt )?(noch )?keine kommentare|sei der erste|comments are closed|kommentare sind geschlossen"
    r"|leave a (reply|comment)|(please )?(read|follow) our (community|commenting) (guidelines|standards|rules)"
    r"|we (welcome|encourage) (your )?comments|comments (may be|are) moderated|this (comment|discussion) "
    r"(section )?is (now )?closed)\b",
    re.I,
)
_GUIDELINES = re.compile(r"(community|commenting|comment|discussion) (guidelines|policy|rules|standards)|netiquette"
                         r"|kommentarrichtlinien|diskussionsregeln", re.I)  # fmt: skip


def is_not_a_comment(item: HtmlElement, text: str) -> bool:
    """A pingback or trackback, or the section's own boilerplate ("There are no comments yet, be the first…",
    the community guidelines block): found among the comments, written by no reader."""
    classes = {c.lower() for c in (item.get("class") or "").split()}
    if classes & _LINKBACK_CLASSES:
        return True
    if _BOILERPLATE.search(text):
        return True
    # A block about the rules of commenting with no author is the site's, not a reader's.
    return bool(_GUIDELINES.search(text)) and _author(item, lambda el: False) is None


def _nested_in(item: HtmlElement, items: list[HtmlElement]) -> Skip:
    others = {id(el) for el in items if el is not item}
    return lambda el: id(el) in others


def _comment_text(item: HtmlElement, nested: Skip) -> str:
    content = _content_element(item, nested)
    for root in (content, item):
        if root is not None:
            found = paragraphs(root, lambda el: nested(el) or is_meta(el))
            if found:
                return "\n\n".join(found)
    return ""


def _content_element(item: HtmlElement, nested: Skip) -> HtmlElement | None:
    """The element holding the comment's words: itemprop text, else a comment-content/-text/-message.

    Ranked, first in page order within a rank: "comment-text" beats a bare "text" (themes name
    secondary labels "secondary-text"), which beats "body"/"entry" (often byline and text together).
    """
    best: tuple[int, HtmlElement | None] = (0, None)
    for el in _own(item, nested):
        rank = _content_rank(el)
        if rank > best[0]:
            best = (rank, el)
            if rank == 4:
                break
    return best[1]


def _content_rank(el: HtmlElement) -> int:
    if el.get("itemprop") in ("text", "commentText", "reviewBody"):
        return 4
    w = heads(el)
    if w & META or el.tag in _META_TAGS or el.tag in _INLINE_TAGS:
        return 0
    commentish = bool(STRONG.search(names(el))) or "post" in w
    if w & CONTENT_FIRST or (commentish and w & _CONTENT_OF_COMMENT):
        return 3 if commentish else 2
    return 1 if w & _CONTENT_SECOND else 0


def _author(item: HtmlElement, nested: Skip) -> str | None:
    best: HtmlElement | None = None
    for el in _own(item, nested):
        w = heads(el)
        if el.get("itemprop") == "author" or "fn" in w:
            best = el
            break
        if best is None and w & AUTHOR and not w & CONTENT_FIRST:
            best = el
    if best is None:
        return None
    name = _AUTHOR_SUFFIX.sub("", collapse(best.text_content()))
    return name if 0 < len(name) <= 80 else None


def _date(item: HtmlElement, nested: Skip) -> datetime | None:
    for el in _own(item, nested):
        if el.tag == "time" or el.get("itemprop") in ("dateCreated", "datePublished", "commentTime"):
            value = el.get("datetime") or el.get("content") or el.text_content()
        elif heads(el) & DATE:
            value = el.get("datetime") or el.get("title") or el.text_content()
        else:
            continue
        parsed = parse_datetime(_day_first(collapse(value)[:64]))
        if parsed is not None:
            return parsed
    return None


_DOTTED_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d)")


def _day_first(value: str) -> str:
    """ "12.03.2024" is 12 March wherever dots separate a date; dateutil would read 3 December."""
    match = _DOTTED_DATE.search(value)
    if match is None:
        return value
    day, month, year = match.groups()
    year = year if len(year) == 4 else f"20{year}"
    time = re.search(r"\d{1,2}[:.]\d{2}(?!\.\d)", value[match.end() :])
    clock = time.group(0).replace(".", ":") if time else ""
    return f"{year}-{month.zfill(2)}-{day.zfill(2)} {clock}".strip()


def _number(item: HtmlElement, nested: Skip) -> str | None:
    for el in _own(item, nested):
        if heads(el) & _NUMBER:
            match = _NUMBER_TEXT.fullmatch(collapse(el.text_content()))
            if match:
                return match.group(1)
    return None


_COMMENT_ID = re.compile(r"comment[-_]?\d+", re.I)


def _key(item: HtmlElement, text: str, nested: Skip) -> str:
    """The page's own id ("comment-123" preferred over a wrapper's "li-comment-123"), else content."""
    ids = [item.get("id"), *[el.get("id") for el in _own(item, nested)][:40]]
    ids = [i.strip() for i in ids if i and i.strip()]
    for page_id in ids:
        if _COMMENT_ID.fullmatch(page_id):
            return page_id
    if item.get("id", "").strip():
        return item.get("id", "").strip()
    return "text-" + make_id(text)


def _unique_keys(keys: list[str]) -> list[str]:
    """Pages sometimes repeat an id; the second and later get "~2", "~3" in page order."""
    used: set[str] = set()
    unique = []
    for key in keys:
        unique.append(fresh(key, used))
        used.add(unique[-1])
    return unique


def fresh(key: str, used: set[str]) -> str:
    """``key``, or ``key~2``, ``key~3`` … when already in ``used``."""
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}~{n}"
    return candidate

"""Comment sections of HTML pages: site adapters tried in order, then a generic finder.

An adapter only says *which elements are comments*; one shared builder reads text, author, date,
key and number from each element and takes the reply tree from DOM nesting (a comment element
inside another is a reply to it). That keeps every adapter short and every page read the same way.
"""

from __future__ import annotations

import html
import json
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
_STRONG = re.compile(r"comment|kommentar|koment|coment|leserbrief|leserpost|disqus", re.I)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_META = _wordset(
    "author autor benutzer verfasser user username name nick fn vcard avatar meta metadata date time "
    "timestamp datum ago published datetime byline says reply replylink respond antworten actions action "
    "tools toolbar vote votes voting like likes rating rate share sharing report flag permalink edit "
    "moderation awaiting badge menu btn button header footer count number nr num icon"
)
_CONTENT_FIRST = _wordset("content text message msg story texte inhalt")
_CONTENT_OF_COMMENT = _wordset("copy quote")  # only beside a comment word: "comment-copy"
_CONTENT_SECOND = _wordset("body entry")
_AUTHOR = _wordset("fn author autor benutzer verfasser username user nick commenter name")
_DATE = _wordset("date time datetime timestamp datum published ago")
_BYLINE = _wordset("meta metadata byline vcard submitted")
_NUMBER = _wordset("number num nr count index")
_NOT_ITEM = _wordset("form respond notes closed login subscribe policy title navigation pagination")

_ITEM_TAGS = _wordset("article aside blockquote dd div li p section tr")
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
        parts = [w.lower() for w in _WORDS.findall(name) if not w.isdigit()]
        while len(parts) > 1 and parts[-1] in _GENERIC_SUFFIXES:
            parts.pop()
        if parts:
            found.add(parts[-1])
    return frozenset(found)


_GENERIC_SUFFIXES = _wordset(
    "link links btn button wrapper wrap container box block inner outer holder area el element"
)


def _is_element(el: Any) -> bool:
    return isinstance(getattr(el, "tag", None), str)


def _is_meta(el: HtmlElement) -> bool:
    """Author lines, dates, reply links, vote buttons: around a comment, not part of it."""
    if el.tag in _META_TAGS or el.tag in _HIDDEN_TAGS:
        return True
    if not heads(el) & _META:
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
        if not _is_element(node) or node.tag in _HIDDEN_TAGS or skip(node):
            continue
        block = node.tag in _BLOCK_TAGS
        if block:
            stack.append(_BREAK)
        stack.extend(reversed(node))
        stack.append(node.text or "")
        if block:
            stack.append(_BREAK)
    return [p for p in (collapse(s) for s in "".join(pieces).split(_BREAK)) if p]


def _text_length(el: HtmlElement) -> int:
    return len(collapse(el.text_content()))


def _own(root: HtmlElement, nested: Skip) -> Iterator[HtmlElement]:
    """Descendants of ``root`` in document order, not entering nested comments."""
    stack = list(reversed(root))
    while stack:
        node = stack.pop()
        if not _is_element(node) or nested(node) or node.tag in _HIDDEN_TAGS:
            continue
        yield node
        stack.extend(reversed(node))


# --- the shared builder ---------------------------------------------------------------------------


def build(items: list[HtmlElement]) -> list[RawComment]:
    """Read each comment element; replies are elements nested inside another comment element."""
    texts = {id(el): _comment_text(el, _nested_in(el, items)) for el in items}
    kept = [el for el in items if texts[id(el)]]
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


def _nested_in(item: HtmlElement, items: list[HtmlElement]) -> Skip:
    others = {id(el) for el in items if el is not item}
    return lambda el: id(el) in others


def _comment_text(item: HtmlElement, nested: Skip) -> str:
    content = _content_element(item, nested)
    for root in (content, item):
        if root is not None:
            found = paragraphs(root, lambda el: nested(el) or _is_meta(el))
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
    if w & _META or el.tag in _META_TAGS or el.tag in _INLINE_TAGS:
        return 0
    commentish = bool(_STRONG.search(_names(el))) or "post" in w
    if w & _CONTENT_FIRST or (commentish and w & _CONTENT_OF_COMMENT):
        return 3 if commentish else 2
    return 1 if w & _CONTENT_SECOND else 0


def _author(item: HtmlElement, nested: Skip) -> str | None:
    best: HtmlElement | None = None
    for el in _own(item, nested):
        w = heads(el)
        if el.get("itemprop") == "author" or "fn" in w:
            best = el
            break
        if best is None and w & _AUTHOR and not w & _CONTENT_FIRST:
            best = el
    if best is None:
        return None
    name = _AUTHOR_SUFFIX.sub("", collapse(best.text_content()))
    return name if 0 < len(name) <= 80 else None


def _date(item: HtmlElement, nested: Skip) -> datetime | None:
    for el in _own(item, nested):
        if el.tag == "time" or el.get("itemprop") in ("dateCreated", "datePublished", "commentTime"):
            value = el.get("datetime") or el.get("content") or el.text_content()
        elif heads(el) & _DATE:
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
        unique.append(_fresh(key, used))
        used.add(unique[-1])
    return unique


def _fresh(key: str, used: set[str]) -> str:
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}~{n}"
    return candidate


# --- adapters -------------------------------------------------------------------------------------


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_WP_LISTS = (
    "//*[self::ol or self::ul or self::div or self::dl]"
    "[contains(@class, 'comment-list') or contains(@class, 'commentlist') or @id = 'commentlist']"
)
_WP_ITEMS = (
    f".//li[{_has_class('comment')} or {_has_class('pingback')} or {_has_class('trackback')}"
    " or starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"
)


def wordpress_items(root: HtmlElement) -> list[HtmlElement]:
    """WordPress themes: ``ol.comment-list > li.comment``, replies in ``ul.children``."""
    return _in_order(root, (item for lst in root.xpath(_WP_LISTS) for item in lst.xpath(_WP_ITEMS)))


def disqus_items(root: HtmlElement) -> list[HtmlElement]:
    """Disqus rendered into the page: ``#disqus_thread li.post`` with ``.post-message``."""
    return _in_order(root, root.xpath(f"//*[@id='disqus_thread']//li[{_has_class('post')}]"))


def microdata_items(root: HtmlElement) -> list[HtmlElement]:
    """schema.org microdata: ``itemtype=".../Comment"`` elements."""
    typed = root.xpath("//*[@itemtype]")
    return _in_order(root, (el for el in typed if _SCHEMA_COMMENT.search(el.get("itemtype", ""))))


_SCHEMA_COMMENT = re.compile(r"schema\.org/(Comment)\s*$")


def _in_order(root: HtmlElement, elements: Any) -> list[HtmlElement]:
    """Document order, each element once (one element may be reached from two lists)."""
    wanted = {id(el): el for el in elements}  # the dict keeps the proxies alive, so ids stay unique
    return [el for el in root.iter() if id(el) in wanted]


# --- generic finder -------------------------------------------------------------------------------


def generic_items(root: HtmlElement) -> list[HtmlElement]:
    """The strongest evidence first: comment-named blocks repeating as siblings; else blocks that
    repeat inside a comments section; else a single comment-named block with a byline."""
    named = [el for el in root.iter() if _candidate(el) and _STRONG.search(_names(el))]
    items = _accept(named, singletons=False)
    if not items:
        items = _accept(_section_blocks(root), singletons=False)
    if not items:
        items = _accept(named, singletons=True)
    return _in_order(root, _with_replies(items))


def _with_replies(items: list[HtmlElement]) -> list[HtmlElement]:
    """Blocks shaped like a comment inside a comment are replies, however deep the thread nests."""
    shapes = {_signature(el) for el in items}
    found = {id(el): el for el in items}
    for item in items:
        found.update((id(d), d) for d in item.iterdescendants() if _is_element(d) and _signature(d) in shapes)
    return list(found.values())


def _names(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _signature(el: HtmlElement) -> tuple[str, str]:
    """Tag plus first class (or the id when classless), digits blurred: the shape a list repeats."""
    classes = (el.get("class") or "").split()
    name = classes[0] if classes else (el.get("id") or "")
    return str(el.tag), re.sub(r"\d+", "#", name.lower())


def _candidate(el: HtmlElement) -> bool:
    if not _is_element(el) or el.tag not in _ITEM_TAGS:
        return False
    classes = (el.get("class") or "").split()
    first = classes[0] if classes else (el.get("id") or "")
    first_words = [w.lower() for w in _WORDS.findall(first) if not w.isdigit()]
    if first_words and first_words[-1] in _META | _CONTENT_FIRST:
        return False  # a part of a comment: its byline, its text
    if set(first_words) & _NOT_ITEM:
        return False  # the reply form, the "comments are closed" notice
    return not any(a.tag == "form" and _text_length(a) < _FORM_TEXT for a in el.iterancestors())


# A reply form holds labels and hints; a larger "form" is an ASP.NET page wrapped whole in one.
_FORM_TEXT = 3000


def _item_like(el: HtmlElement) -> bool:
    """A single comment carries a byline or a date, and words besides them.

    A paragraph or a section heading has no byline; a comment's own byline box has no words.
    """
    return _has_byline(el) and sum(len(p) for p in paragraphs(el, _is_meta)) >= 10


def _has_byline(el: HtmlElement) -> bool:
    for d in el.iterdescendants():
        if not _is_element(d):
            continue
        if d.tag == "time" or d.get("itemprop") in ("author", "dateCreated", "datePublished"):
            return True
        if heads(d) & (_AUTHOR | _DATE | _BYLINE):
            return True
    return False


def _substantive(members: list[HtmlElement]) -> bool:
    """Real comments have words of their own; "recent comments" widgets are mostly links.

    Measured without bylines, dates and reply links: short comments sit among many such links.
    """
    lengths, linked = 0, 0
    for el in members:
        lengths += sum(len(p) for p in paragraphs(el, _is_meta))
        linked += sum(_text_length(a) for a in el.iter("a") if not _inside_meta(a, el))
    return lengths / len(members) >= 15 and linked < 0.5 * lengths


def _inside_meta(el: HtmlElement, stop: HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        if node is stop:
            return False
        if _is_meta(node):
            return True
    return False


def _accept(candidates: list[HtmlElement], *, singletons: bool) -> list[HtmlElement]:
    """Sibling groups of one shape; a lone block joins when a group has its shape (a single reply)."""
    groups: dict[tuple[HtmlElement | None, tuple[str, str]], list[HtmlElement]] = {}
    for el in candidates:
        groups.setdefault((el.getparent(), _signature(el)), []).append(el)
    lists = [g for g in groups.values() if len(g) >= 2 and _substantive(g)]
    shapes = {_signature(g[0]) for g in lists}
    lone = [g for g in groups.values() if len(g) == 1 and _substantive(g)]
    lists += [g for g in lone if _signature(g[0]) in shapes]
    if singletons and not lists:
        shaped = {id(el) for el in candidates if _item_like(el)}
        lists = [g for g in lone if id(g[0]) in shaped and _innermost(g[0], shaped)]
    return _drop_containers_and_parts(lists)


def _innermost(el: HtmlElement, item_like: set[int]) -> bool:
    shape = _signature(el)
    return not any(id(d) in item_like and _signature(d) != shape for d in el.iterdescendants())


def _drop_containers_and_parts(groups: list[list[HtmlElement]]) -> list[HtmlElement]:
    """Keep the comment level: not the section around comments, not a part inside one comment."""
    accepted = {id(el): el for g in groups for el in g}
    holder = {id(el): _nearest(el, accepted) for el in accepted.values()}
    inner: dict[int, int] = {}
    for el in accepted.values():
        outer = holder[id(el)]
        if outer is not None and _signature(outer) != _signature(el) and _item_like(el):
            inner[id(outer)] = inner.get(id(outer), 0) + 1
    kept = [g for g in groups if max(inner.get(id(el), 0) for el in g) < 2]
    accepted = {id(el): el for g in kept for el in g}
    top = [el for el in accepted.values() if _nearest(el, accepted) is None]
    top_shapes = {_signature(el) for el in top}
    return [el for el in accepted.values() if _nearest(el, accepted) is None or _signature(el) in top_shapes]


def _nearest(el: HtmlElement, among: dict[int, HtmlElement]) -> HtmlElement | None:
    return next((a for a in el.iterancestors() if id(a) in among), None)


_SECTION = re.compile(
    r"comments|kommentare|leserbriefe|commentlist|comment[-_]?(list|section|area|wrap|container|thread|links)",
    re.I,
)


def _section_blocks(root: HtmlElement) -> list[HtmlElement]:
    """Blocks up to three levels inside comment sections (``ol#commentlist > li``)."""
    blocks: dict[int, HtmlElement] = {}
    for section in root.iter():
        if not _is_element(section) or not _SECTION.search(_names(section)):
            continue
        level = [section]
        for _ in range(3):
            level = [c for el in level for c in el if _is_element(c)]
            blocks.update((id(c), c) for c in level if _candidate(c))
    return _in_order(root, blocks.values())


# --- JSON-LD --------------------------------------------------------------------------------------


def json_ld_comments(root: HtmlElement) -> list[RawComment]:
    """schema.org ``Comment`` objects in JSON-LD scripts; replies sit in a comment's ``comment``."""
    found: list[RawComment] = []
    used: set[str] = set()
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # a broken script block is the page's problem, not a reason to fail
        stack: list[tuple[Any, str | None]] = [(data, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, list):
                stack.extend((x, parent) for x in reversed(node))
            elif isinstance(node, dict):
                raw = _json_ld_comment(node, parent, used) if _is_comment_type(node.get("@type")) else None
                if raw is not None:
                    found.append(raw)
                children = [v for v in node.values() if isinstance(v, dict | list)]
                stack.extend((v, raw.key if raw else parent) for v in reversed(children))
    return found


def _is_comment_type(value: Any) -> bool:
    kinds = value if isinstance(value, list) else [value]
    return any(k in ("Comment", "Answer") for k in kinds if isinstance(k, str))


def _json_ld_comment(node: dict[str, Any], parent: str | None, used: set[str]) -> RawComment | None:
    body = node.get("text") or node.get("commentText")
    if not isinstance(body, str):
        return None
    text = _strip_markup(body)
    if not text:
        return None
    author = node.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    page_id = node.get("@id") or node.get("url")
    key = _fresh(str(page_id) if page_id else "text-" + make_id(text), used)
    used.add(key)
    return RawComment(
        key=key,
        text=text,
        parent_key=parent,
        author=collapse(author)[:80] or None if isinstance(author, str) else None,
        created_at=parse_datetime(node.get("dateCreated") or node.get("datePublished")),
    )


def _strip_markup(text: str) -> str:
    plain = html.unescape(re.sub(r"<(br|/p|/div)\b[^>]*>", "\n\n", text, flags=re.I))
    plain = re.sub(r"<[^>]+>", " ", plain)
    return "\n\n".join(p for p in (collapse(x) for x in re.split(r"\n\s*\n", plain)) if p)


# --- entry point ----------------------------------------------------------------------------------

Adapter = Callable[[HtmlElement], list[HtmlElement]]
ADAPTERS: tuple[tuple[str, Adapter], ...] = (
    ("wordpress", wordpress_items),
    ("disqus", disqus_items),
    ("microdata", microdata_items),
)


def find_comments(root: HtmlElement) -> Found:
    """Adapters in order, then JSON-LD, then the generic finder; the first that finds comments wins."""
    for name, select in ADAPTERS:
        items = select(root)
        comments = build(items) if items else []
        if comments:
            return Found(name, comments, _outermost(items))
    from_json = json_ld_comments(root)
    if from_json:
        return Found("json-ld", from_json)
    items = generic_items(root)
    return Found("generic", build(items), _outermost(items))


def _outermost(items: list[HtmlElement]) -> list[HtmlElement]:
    among = {id(el): el for el in items}
    return [el for el in items if _nearest(el, among) is None]

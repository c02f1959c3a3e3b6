"""Finding the comment section of an HTML page: site adapters tried in order, then a generic finder.

An adapter only says *which elements are comments*; the shared builder in ``html_comments`` reads
each one, so every adapter stays short and every page is read the same way. JSON-LD comments carry
their own text and are read here directly. ``find_comments`` is the entry point.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from lxml.html import HtmlElement

from threadwise.ingest.assemble import RawComment, parse_datetime
from threadwise.ingest.html_comments import (
    AUTHOR,
    BYLINE,
    CONTENT_FIRST,
    DATE,
    ITEM_TAGS,
    META,
    NOT_ITEM,
    STRONG,
    WORDS,
    Found,
    build,
    collapse,
    fresh,
    heads,
    is_element,
    is_meta,
    names,
    paragraphs,
    text_length,
)
from threadwise.model import make_id

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
    named = [el for el in root.iter() if _candidate(el) and STRONG.search(names(el))]
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
        found.update((id(d), d) for d in item.iterdescendants() if is_element(d) and _signature(d) in shapes)
    return list(found.values())


def _signature(el: HtmlElement) -> tuple[str, str]:
    """Tag plus first class (or the id when classless), digits blurred: the shape a list repeats."""
    classes = (el.get("class") or "").split()
    name = classes[0] if classes else (el.get("id") or "")
    return str(el.tag), re.sub(r"\d+", "#", name.lower())


def _candidate(el: HtmlElement) -> bool:
    if not is_element(el) or el.tag not in ITEM_TAGS:
        return False
    classes = (el.get("class") or "").split()
    first = classes[0] if classes else (el.get("id") or "")
    first_words = [w.lower() for w in WORDS.findall(first) if not w.isdigit()]
    if first_words and first_words[-1] in META | CONTENT_FIRST:
        return False  # a part of a comment: its byline, its text
    if set(first_words) & NOT_ITEM:
        return False  # the reply form, the "comments are closed" notice
    return not any(a.tag == "form" and text_length(a) < _FORM_TEXT for a in el.iterancestors())


# A reply form holds labels and hints; a larger "form" is an ASP.NET page wrapped whole in one.
_FORM_TEXT = 3000


def _item_like(el: HtmlElement) -> bool:
    """A single comment carries a byline or a date, and words besides them.

    A paragraph or a section heading has no byline; a comment's own byline box has no words.
    """
    return _has_byline(el) and sum(len(p) for p in paragraphs(el, is_meta)) >= 10


def _has_byline(el: HtmlElement) -> bool:
    for d in el.iterdescendants():
        if not is_element(d):
            continue
        if d.tag == "time" or d.get("itemprop") in ("author", "dateCreated", "datePublished"):
            return True
        if heads(d) & (AUTHOR | DATE | BYLINE):
            return True
    return False


def _substantive(members: list[HtmlElement]) -> bool:
    """Real comments have words of their own; "recent comments" widgets are mostly links.

    Measured without bylines, dates and reply links: short comments sit among many such links.
    """
    lengths, linked = 0, 0
    for el in members:
        lengths += sum(len(p) for p in paragraphs(el, is_meta))
        linked += sum(text_length(a) for a in el.iter("a") if not _inside_meta(a, el))
    return lengths / len(members) >= 15 and linked < 0.5 * lengths


def _inside_meta(el: HtmlElement, stop: HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        if node is stop:
            return False
        if is_meta(node):
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
        if not is_element(section) or not _SECTION.search(names(section)):
            continue
        level = [section]
        for _ in range(3):
            level = [c for el in level for c in el if is_element(c)]
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
    key = fresh(str(page_id) if page_id else "text-" + make_id(text), used)
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

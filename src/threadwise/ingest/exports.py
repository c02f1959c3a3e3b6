"""Comment exports of commenting systems: WordPress REST JSON, Disqus XML and Coral JSON.

The tabular exports (CSV/TSV, JSON lines, Parquet) live in ``exports_tabular`` and are re-exported
here, so ``exports`` is the one module the format dispatch needs. Every parser builds its thread
through ``assemble_thread``, keyed by the export's own comment ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from threadwise.errors import MalformedInput
from threadwise.ingest.assemble import RawComment, article_id, assemble_thread
from threadwise.ingest.decode import check_not_empty, decode_text, strip_xml_illegal
from threadwise.ingest.exports_tabular import (
    article_from_json,
    load_article_sidecar,
    minimal_article,
    parse_csv,
    parse_jsonl,
    parse_parquet,
    safe_datetime,
    scalar_text,
)
from threadwise.model import Article, Thread

__all__ = [
    "article_from_json",
    "html_to_text",
    "load_article_sidecar",
    "parse_coral_json",
    "parse_csv",
    "parse_disqus_xml",
    "parse_jsonl",
    "parse_parquet",
    "parse_wordpress_json",
]

# --- HTML bodies → plain text -------------------------------------------------------------------

_BLOCKS = ("p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr")
_PARA, _LINE = "\ue000", "\ue001"  # private-use markers (stripped from the input first)
_LOOKS_HTML = re.compile(r"<[A-Za-z/!]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_SPACE = re.compile(r"\s+")
_ILLEGAL_REFERENCE = re.compile(r"&#(\d{1,8}|[xX][0-9A-Fa-f]{1,7});?")  # checked one by one: only a few are illegal


def html_to_text(markup: str) -> str:
    """HTML → plain text: block elements become paragraphs joined by a blank line, <br> a newline,
    entities are decoded; text that holds no markup is only trimmed (its own newlines are kept).
    Characters no lxml tree can hold (control characters, lone surrogates, also as ``&#27;``) are dropped."""
    markup = strip_xml_illegal(markup.replace(_PARA, "").replace(_LINE, ""))
    if not _LOOKS_HTML.search(markup):
        return markup.strip()
    markup = _ILLEGAL_REFERENCE.sub(lambda m: "" if _is_illegal_reference(m) else m.group(), markup)
    try:
        return _tree_text(lxml_html.fragment_fromstring(markup, create_parent="div"))
    except (etree.ParserError, ValueError):  # nothing parseable: better the raw text than nothing
        return markup.strip()


def _is_illegal_reference(match: re.Match[str]) -> bool:
    number = match.group(1)
    code = int(number[1:], 16) if number[0] in "xX" else int(number)
    return code > 0x10FFFF or strip_xml_illegal(chr(code)) == ""


def _tree_text(root: lxml_html.HtmlElement) -> str:
    for element in list(root.iter("script", "style")):
        element.drop_tree()
    for element in root.iter("br"):
        element.tail = _LINE + (element.tail or "")
    for element in root.iter(*_BLOCKS):
        element.text = _PARA + (element.text or "")
        element.tail = _PARA + (element.tail or "")
    return _join_paragraphs(root.text_content())


def _join_paragraphs(text: str) -> str:
    # Newlines in HTML source are mere spaces; only the markers say where lines and paragraphs end.
    paragraphs = []
    for block in text.split(_PARA):
        lines = (_SPACE.sub(" ", line).strip() for line in block.split(_LINE))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _paragraphs(markup: str | None) -> tuple[str, ...]:
    return tuple(p for p in html_to_text(markup or "").split("\n\n") if p)


# --- JSON helpers -------------------------------------------------------------------------------


def _load_json(data: bytes, source: str, encoding: str | None) -> Any:
    try:
        return json.loads(decode_text(data, source, encoding))
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"not valid JSON ({exc})", source=source) from exc


def _text(value: object, what: str, where: str, source: str) -> str | None:
    return (scalar_text(value, what, where, source) or "").strip() or None


def _objects(items: list[Any], what: str, source: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise MalformedInput(f"{what} {index} is not a JSON object", source=source)
        yield f"{what} {index}", item


def _key(value: object, where: str, source: str) -> str:
    key = _text(value, "id", where, source)
    if key is None:
        raise MalformedInput(f"{where} has no id", source=source)
    return key


# --- WordPress REST (wp/v2/comments) ------------------------------------------------------------


def parse_wordpress_json(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """A ``wp/v2/comments`` response: a JSON list of comments.

    A list may span several posts (when fetched without ``?post=``); the post of the first comment
    is the thread, the others' comments are left out.
    """
    document = _load_json(data, source, encoding)
    if not isinstance(document, list):
        raise MalformedInput("a WordPress comments export is a JSON list", source=source)
    items = list(_objects(document, "comment", source))
    post = _text(items[0][1].get("post"), "post", items[0][0], source) if items else None
    mine = [(where, item) for where, item in items if _text(item.get("post"), "post", where, source) == post]
    raws = [_wordpress_comment(where, item, source) for where, item in mine]
    # The API returns newest first; a thread reads oldest first, so order by date, then by id
    # ((length, digits) sorts numeric ids as numbers).
    raws.sort(key=lambda r: (r.created_at or datetime.min.replace(tzinfo=UTC), len(r.key), r.key))
    if article is None:
        link = _text(mine[0][1].get("link"), "link", mine[0][0], source) if mine else None
        page_url = link.split("#", 1)[0] if link else None
        article = minimal_article(source, "wordpress-json", page_url, "post", post)
    return assemble_thread(article, raws, source)


def _wordpress_comment(where: str, item: Mapping[str, Any], source: str) -> RawComment:
    content = item.get("content")
    body = content.get("rendered", content.get("raw")) if isinstance(content, dict) else content
    parent = _text(item.get("parent"), "parent", where, source)
    return RawComment(
        key=_key(item.get("id"), where, source),
        text=html_to_text(_text(body, "content", where, source) or ""),
        parent_key=None if parent in (None, "0") else parent,  # WordPress marks top level with 0
        author=_text(item.get("author_name"), "author_name", where, source),
        author_id=_account("wordpress", _text(item.get("author"), "author", where, source), guest="0"),
        # date_gmt is UTC without an offset (which parse_datetime reads as UTC); date is local time.
        created_at=safe_datetime(item.get("date_gmt") or item.get("date")),
    )


# --- Coral --------------------------------------------------------------------------------------


def parse_coral_json(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """A Coral-style export ``{"story": {...}, "comments": [...]}`` or a bare list of comments."""
    document = _load_json(data, source, encoding)
    story: object = None
    if isinstance(document, dict):
        story, document = document.get("story"), document.get("comments", [])
    if not isinstance(document, list):
        raise MalformedInput("a Coral export holds a list of comments", source=source)
    raws = [_coral_comment(where, item, source) for where, item in _objects(document, "comment", source)]
    if article is None:
        article = _coral_story(story if isinstance(story, dict) else {}, source)
    return assemble_thread(article, raws, source)


def _coral_comment(where: str, item: Mapping[str, Any], source: str) -> RawComment:
    revision, author, parent = (item.get(k) for k in ("revision", "author", "parent"))
    body = next(
        (b for b in (item.get("body"), _get(revision, "body"), item.get("text")) if b is not None), None
    )
    parent_key = item.get("parentID", item.get("parent_id", _get(parent, "id")))
    return RawComment(
        key=_key(item.get("id"), where, source),
        # A removed comment has no body; it stays (with empty text) so its replies keep their parent.
        text=html_to_text(_text(body, "body", where, source) or ""),
        parent_key=_text(parent_key, "parentID", where, source),
        author=_text(
            _get(author, "username") or item.get("username") or _plain(author), "author", where, source
        ),
        author_id=_account("coral", _text(_get(author, "id") or item.get("authorID") or item.get("author_id"),
                                          "author.id", where, source)),
        created_at=safe_datetime(item.get("createdAt", item.get("created_at"))),
    )


def _coral_story(story: Mapping[str, Any], source: str) -> Article:
    metadata = story.get("metadata") if isinstance(story.get("metadata"), dict) else {}

    def field(*names: str) -> str | None:
        values = [story.get(n) for n in names] + [_get(metadata, n) for n in names]
        return next((t for v in values if (t := _text(_plain(v), names[0], "story", source))), None)

    url = field("url")
    return Article(
        id=article_id(url, source, "story", field("id")),
        url=url,
        title=field("title"),
        author=field("author") or _text(_get(story.get("author"), "username"), "author", "story", source),
        published_at=safe_datetime(field("publishedAt", "published_at")),
        source_format="coral-json",
    )


def _account(system: str, account: str | None, *, guest: str | None = None) -> str | None:
    """The source's account id, namespaced by the commenting system; None for a guest without one."""
    return None if account is None or account == guest else f"{system}:{account}"


def _get(obj: object, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _plain(value: object) -> object:
    """A nested object (say ``author: {"username": …}``) is no plain value: None instead."""
    return None if isinstance(value, dict | list) else value


# --- Disqus XML ---------------------------------------------------------------------------------

_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def parse_disqus_xml(
    data: bytes, source: str, *, encoding: str | None = None, article: Article | None = None
) -> Thread:
    """A Disqus XML export (``<disqus>`` with ``<thread>`` and ``<post>`` elements).

    An export covers a whole forum; the thread is the first ``<thread>`` with a kept post (the
    first thread at all when none has one). Deleted and spam posts are left out; their replies
    move up to the nearest kept ancestor (or the top level), so no reply is orphaned.
    """
    root = _parse_xml(data, source, encoding)
    if _local(root) != "disqus":
        raise MalformedInput(f"root element is <{_local(root)}>, not <disqus>", source=source)
    threads = [e for e in root if _local(e) == "thread"]
    posts = [e for e in root if _local(e) == "post"]
    kept_threads = {_ref(p, "thread") for p in posts if not _removed(p)}
    chosen = next((t for t in threads if t.get(_DSQ_ID) in kept_threads), threads[0] if threads else None)
    if chosen is None:
        raise MalformedInput("the Disqus export holds no <thread>", source=source)
    mine = [p for p in posts if _ref(p, "thread") == chosen.get(_DSQ_ID)]
    parents = {p.get(_DSQ_ID): _ref(p, "parent") for p in mine}
    removed = {p.get(_DSQ_ID) for p in mine if _removed(p)}
    raws = [_disqus_post(p, _kept_parent(p, parents, removed), source) for p in mine if not _removed(p)]
    return assemble_thread(article or _disqus_article(chosen, source), raws, source)


def _parse_xml(data: bytes, source: str, encoding: str | None) -> etree._Element:
    check_not_empty(data, source)
    # No DTD, no entity expansion, no network: an export is untrusted input.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, encoding=encoding
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError, LookupError) as exc:
        raise MalformedInput(f"not well-formed XML ({exc})", source=source) from exc
    if root is None:
        raise MalformedInput("the XML document is empty", source=source)
    return root


def _local(element: etree._Element) -> str:
    # Exports declare xmlns="http://disqus.com"; matching local names also reads ones that do not.
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if _local(c) == name), None)


def _child_text(element: etree._Element, *path: str) -> str | None:
    for name in path:
        found = _child(element, name)
        if found is None:
            return None
        element = found
    return "".join(element.itertext()).strip() or None


def _ref(element: etree._Element, name: str) -> str | None:
    """The ``dsq:id`` of a child like ``<thread dsq:id="…"/>`` or ``<parent dsq:id="…"/>``."""
    child = _child(element, name)
    return None if child is None else child.get(_DSQ_ID)


def _removed(post: etree._Element) -> bool:
    return any(_child_text(post, flag) == "true" for flag in ("isDeleted", "isSpam"))


def _kept_parent(post: etree._Element, parents: dict[Any, str | None], removed: set[Any]) -> str | None:
    """The nearest ancestor that is kept; None (top level) when every ancestor was removed."""
    parent, seen = _ref(post, "parent"), set()
    while parent in removed and parent not in seen:
        seen.add(parent)  # guards against parent loops among removed posts
        parent = parents.get(parent)
    return None if parent in removed else parent


def _disqus_post(post: etree._Element, parent: str | None, source: str) -> RawComment:
    key = post.get(_DSQ_ID)
    if not key:
        raise MalformedInput("a <post> has no dsq:id", source=source)
    return RawComment(
        key=key,
        text=html_to_text(_child_text(post, "message") or ""),
        parent_key=parent,
        author=_child_text(post, "author", "name") or _child_text(post, "author", "username"),
        # An anonymous Disqus guest has no username: only a registered account identifies a person.
        author_id=None if _child_text(post, "author", "isAnonymous") == "true"
        else _account("disqus", _child_text(post, "author", "username")),
        created_at=safe_datetime(_child_text(post, "createdAt")),
    )


def _disqus_article(thread: etree._Element, source: str) -> Article:
    url = _child_text(thread, "link")
    return Article(
        id=article_id(url, source, "disqus", thread.get(_DSQ_ID)),
        url=url,
        title=_child_text(thread, "title"),
        author=_child_text(thread, "author", "name"),
        paragraphs=_paragraphs(_child_text(thread, "message")),
        published_at=safe_datetime(_child_text(thread, "createdAt")),
        source_format="disqus-xml",
    )

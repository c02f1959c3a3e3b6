"""HTML pages: the article via trafilatura, the comment section via site adapters (``html_adapters``).

Comments are found first and cut out of the page, so the article body cannot pick them up even where
trafilatura's own comment detection misses the section.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from threadwise.errors import MalformedInput
from threadwise.ingest.assemble import article_id, assemble_thread, parse_datetime
from threadwise.ingest.comment_loaders import loader_note
from threadwise.ingest.decode import decode_text, strip_xml_illegal
from threadwise.ingest.html_adapters import find_comments
from threadwise.ingest.html_comments import Found, collapse
from threadwise.model import Article, Thread

LOG = logging.getLogger(__name__)

# Comments are dropped by the parser: they are not text, and keeping them costs memory on big pages.
_PARSER = HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
_MIN_SHARED_PARAGRAPH = 30  # shorter body lines ("Thanks!") may genuinely repeat in a comment


def parse(data: bytes, source: str, *, encoding: str | None = None) -> Thread:
    """Read one saved page: its article, and its reader comments as a reply tree."""
    return read_page(data, source, encoding=encoding)[0]


def read_page(data: bytes, source: str, *, encoding: str | None = None) -> tuple[Thread, str]:
    """``parse``, also naming the comment adapter that found the comments (for evaluation)."""
    text = decode_text(data, source, encoding)
    root = parse_tree(text, source)
    found = find_comments(root)
    for element in found.elements:
        _cut(element)
    article = extract_article(root, source, found)
    thread = assemble_thread(article, found.comments, source)
    note = None if thread.comments else loader_note(text)
    return (replace(thread, notes=(note,)) if note else thread), found.adapter


def parse_tree(text: str, source: str) -> HtmlElement:
    """A lenient lxml tree; only input lxml cannot make any tree of is refused."""
    try:
        return document_fromstring(strip_xml_illegal(text).encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise MalformedInput(f"not readable as HTML: {error}", source=source) from error


def _cut(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is not None:
        tail = element.tail
        element.tail = None  # the tail is page text after the comment, not part of it
        parent.remove(element)
        if tail and tail.strip():
            _append_text(parent, tail)


def _append_text(parent: HtmlElement, text: str) -> None:
    last = parent[-1] if len(parent) else None
    if last is None:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def extract_article(root: HtmlElement, source: str, found: Found) -> Article:
    """Body and metadata from trafilatura; url from the page's canonical link or og:url."""
    document = _trafilatura(root, source)
    url = _page_url(root) or (document.url if document else None) or _url_source(source)
    lines = (document.text or "").split("\n") if document else []
    body = _without_comment_text([collapse(line) for line in lines if line.strip()], found)
    title = document.title if document else None
    author = document.author if document else None
    return Article(
        id=article_id(url, title, author, body[0] if body else None),
        url=url,
        outlet=document.sitename if document else None,
        title=title,
        author=author,
        paragraphs=tuple(body),
        published_at=parse_datetime(document.date) if document else None,
        source_format="html",
    )


def _trafilatura(root: HtmlElement, source: str) -> trafilatura.settings.Document | None:
    """trafilatura never sees comments (ours are cut; include_comments=False drops what is left).

    It is a heuristic library run on arbitrary pages: a failure inside it costs the article text,
    never the comments, so any exception becomes an empty article and a log line.
    """
    try:
        document = trafilatura.bare_extraction(root, include_comments=False, with_metadata=True, favor_precision=True)
    except Exception:  # see docstring: degrade, do not fail the ingest
        LOG.warning("%s: trafilatura failed, article text left empty", source, exc_info=True)
        return None
    return document if isinstance(document, trafilatura.settings.Document) else None


def _page_url(root: HtmlElement) -> str | None:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in root.xpath(xpath):
            if str(value).strip().startswith(("http://", "https://")):
                return str(value).strip()
    return None


def _url_source(source: str) -> str | None:
    return source if source.startswith(("http://", "https://")) else None


def _without_comment_text(body: list[str], found: Found) -> list[str]:
    """Safety net: a body line that is a comment's paragraph came from the comment section."""
    comment_paragraphs = {p for c in found.comments for p in c.text.split("\n\n")}
    return [p for p in body if len(p) < _MIN_SHARED_PARAGRAPH or p not in comment_paragraphs]

"""Hostile input to the readers: control characters and lone surrogates inside comment markup, a text
page that quotes a link, and a bounded fuzz over every format.

Every input either becomes a thread whose texts can be stored and sent (valid UTF-8), or is refused with
a coded error; no reader crashes, and no crash of one input stops the others (the README's promise).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE
from threadwise import ingest, service
from threadwise.cli import app
from threadwise.errors import CommentsNotFound, ParserFault, ThreadwiseError
from threadwise.ingest import detect_format, read_thread
from threadwise.model import Thread

HOSTILE_MARKUP = "<p>a\u001bb</p><p>c&#27;d &#0; &#x1F; e\ud800f</p>"


def coral(body: str) -> bytes:
    return json.dumps({"story": {"title": "T"}, "comments": [{"id": "1", "body": body}]}).encode()


def wordpress(content: str) -> bytes:
    comment = {"id": 1, "post": 9, "parent": 0, "author_name": "A", "content": {"rendered": content}}
    return json.dumps([comment]).encode()


def disqus(message: str) -> bytes:
    escaped = message.replace("&", "&amp;").replace("<", "&lt;")
    return (f'<?xml version="1.0"?><disqus xmlns:dsq="http://disqus.com/disqus-internals">'
            f'<thread dsq:id="1"><link>https://x.test/a</link><title>T</title></thread>'
            f'<post dsq:id="2"><message>{escaped}</message><thread dsq:id="1"/></post></disqus>').encode()  # fmt: skip


def storable(thread: Thread) -> None:
    for text in (thread.article.title or "", *thread.article.paragraphs, *(c.text for c in thread.comments)):
        text.encode("utf-8")  # raises on a lone surrogate: neither PostgreSQL nor a JSON answer takes one


def page_with_a_link() -> bytes:
    """The bundled text page with a link quoted in comment 3: still a text page of 10 comments."""
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    third = next(i for i, line in enumerate(lines) if re.match(r"^ *3\. ", line))
    lines[third] += ' see <a href="https://example.org/report">this report</a>'
    return "\n".join(lines).encode()


# --- control characters and surrogates -----------------------------------------------------------------


@pytest.mark.parametrize("make", [coral, wordpress])
def test_control_characters_in_comment_markup_are_dropped_not_fatal(make) -> None:  # type: ignore[no-untyped-def]
    thread = read_thread(make(HOSTILE_MARKUP), "export.json")
    assert [c.text for c in thread.comments] == ["ab\n\ncd e\ufffdf"]
    storable(thread)


def test_one_broken_input_does_not_stop_the_others(tmp_path: Path) -> None:
    hostile = tmp_path / "coral.json"
    hostile.write_bytes(coral("<p>a\u001bb</p>"))
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = CliRunner().invoke(app, ["ingest", str(hostile), str(EXAMPLE), "--db", db])
    assert result.exit_code == 0, result.output
    assert sorted(t.comment_count for t in service.list_threads(db)) == [1, 10]


def test_a_reader_that_fails_unforeseen_is_a_coded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, source: str, **_: object) -> Thread:
        raise ValueError("a bug in a reader")

    monkeypatch.setitem(ingest.PARSERS, "text", broken)
    with pytest.raises(ParserFault) as refused:
        read_thread(b"just text", "page.txt")
    assert refused.value.code == "TW-E019" and "a bug in a reader" in refused.value.message


# --- detection weighs the whole input ------------------------------------------------------------------


def test_a_text_page_quoting_a_link_is_read_as_text_with_every_comment() -> None:
    data = page_with_a_link()
    assert detect_format(data, "page") == "text"
    thread = read_thread(data, "page")
    assert len(thread.comments) == 10
    assert any("this report" in c.text for c in thread.comments)


def test_html_that_finds_no_comments_is_checked_against_the_text() -> None:
    data = b"<div>Front page</div>\n" + page_with_a_link()  # starts like HTML
    assert detect_format(data, "page") == "html"
    assert len(read_thread(data, "page").comments) == 10  # detected: the text reading wins
    with pytest.raises(CommentsNotFound) as refused:
        read_thread(data, "page", format="html")  # asked for: refused, not stored without its comments
    assert "shows 10" in refused.value.message


# --- bounded fuzz --------------------------------------------------------------------------------------

# Every code point class a hostile export might carry: controls, surrogates, private use, markup bits.
HOSTILE_TEXT = st.lists(
    st.one_of(st.characters(codec=None), st.sampled_from(["<p>", "</p>", "<br>", "&#27;", "&#0;", "&amp;", "<a href=x>",
                                                          "\x1b", "\ud800", "\x00", "\ue000", "\n", ",", '"'])),
    max_size=30,
).map("".join)  # fmt: skip
MAKERS = {
    "coral": coral,
    "wordpress": wordpress,
    "disqus": disqus,
    "csv": lambda text: ("id,text\n1," + text + "\n").encode("utf-8", "surrogatepass"),
    "jsonl": lambda text: (json.dumps({"id": 1, "text": text}) + "\n").encode(),
    "html": lambda text: f"<html><body><article><p>{text}</p></article></body></html>".encode("utf-8", "replace"),
    "text": lambda text: f"Title\n\nBy Ann / Paper\n\nBody.\n\n  1. {text}\n  2. ok\n".encode("utf-8", "replace"),
}


@pytest.mark.parametrize("kind", MAKERS)
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=HOSTILE_TEXT)
def test_fuzz_every_reader_stores_or_refuses_with_a_code(kind: str, text: str) -> None:
    """A fixed budget (60 examples per format, derandomised, so CI runs the same cases every time)."""
    try:
        thread = read_thread(MAKERS[kind](text), f"fuzz.{kind}")
    except ParserFault:
        raise
    except ThreadwiseError:
        return
    storable(thread)

"""The plain-text page parser, on pages written in the shapes people save or paste."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, FIXTURES
from threadwise.errors import BinaryInput, EmptyInput, InputTooLarge, ThreadwiseError
from threadwise.ingest import detect_format, read_thread
from threadwise.ingest.text_page import parse


def read(name: str):
    path = FIXTURES / "text" / name
    return read_thread(path.read_bytes(), str(path))


def numbers(thread) -> list[str | None]:
    return [c.number for c in thread.comments]


def parent_number(thread, comment) -> str | None:
    return thread.get_comment(comment.parent_id).number if comment.parent_id else None


@pytest.fixture(scope="module")
def example():
    return read_thread(EXAMPLE.read_bytes(), str(EXAMPLE))


def test_text_page_separates_credit_byline_outlet_and_bio(example):
    article = example.article
    assert article.image_credit == "Mira Kovach, CC BY-SA 4.0, via Wikimedia Commons"
    assert article.title == "The Ceasefire Nobody Wants to Talk About"
    assert (article.author, article.outlet) == ("Elena Marsh", "The Northern Review")
    assert article.author_bio.startswith("Elena Marsh is a writer")
    assert "Borderlands" in article.author_bio
    assert all("Elena Marsh is a writer" not in p for p in article.paragraphs)
    assert article.paragraphs[-1].startswith("The alternative is a war without end")
    assert all("propaganda" not in p for p in article.paragraphs)  # no comment leaked into the body


def test_a_republished_pieces_notice_is_kept_beside_the_article_not_read_as_its_first_paragraph(example):
    article = example.article
    assert article.republication == ("This article was originally published by The Northern Review and is "
                                     "republished here with permission.")
    assert article.paragraphs[0].startswith("Three winters into the war")
    assert all("originally published" not in p for p in article.paragraphs)


@pytest.mark.parametrize(("paragraphs", "notice"), [
    (["Originally published in The Guardian.", "Body."], "Originally published in The Guardian."),
    (["Body.", "More body.", "Republished with permission from Ukrainska Pravda."],
     "Republished with permission from Ukrainska Pravda."),
    (["First published in 1990, the novel remains a classic.", "Body."], None),  # body text that starts so
    (["One.", "Two.", "This article was originally published by X.", "Four.", "Five."], None),  # not at an edge
])
def test_only_a_notice_at_the_pages_edge_is_taken_out_of_the_body(paragraphs: list[str], notice: str | None):
    from threadwise.ingest.assemble import split_republication

    found, rest = split_republication(paragraphs)
    assert found == notice
    assert list(rest) == [p for p in paragraphs if p != notice]


def test_text_page_keeps_page_numbers_with_gaps(example):
    assert numbers(example) == ["1", "3", "4", "7", "8", "9", "10", "12", "13", "15"]
    assert [c.position for c in example.comments] == list(range(10))


def test_text_page_keeps_multi_paragraph_comment_whole(example):
    third = example.comments[1]
    assert third.text.count("\n\n") == 1
    assert third.text.endswith("rewarding a dictator for invading his neighbour.")


def test_text_page_keeps_opening_quotation_of_the_article(example):
    assert example.comments[1].text.startswith('"Critics will call this appeasement. It is not."')


def test_text_page_links_reply_by_number_reference(example):
    reply = next(c for c in example.comments if c.number == "13")
    assert parent_number(example, reply) == "3"


def test_text_page_ids_are_stable_across_parses(example):
    again = read_thread(EXAMPLE.read_bytes(), "elsewhere/copy.txt")
    assert [c.id for c in again.comments] == [c.id for c in example.comments]
    assert again.id == example.id


def test_text_page_finds_comments_after_bio_without_header():
    thread = read("no_credit_bio_anchor.txt")
    assert thread.article.image_credit is None
    assert thread.article.outlet == "Riverside Courier"
    assert thread.article.published_at.year == 2025
    assert thread.article.author_bio.startswith("Tomas Reyes is a civil engineer")
    assert "1. Repair the old bridge again, at a cost of four million." in thread.article.paragraphs
    assert numbers(thread) == ["2", "5", "5.1", "6"]
    assert parent_number(thread, thread.comments[2]) == "5"
    assert thread.comments[1].text.endswith("floods every spring.")


def test_text_page_reads_attributed_comments_and_replies():
    thread = read("attributed_replies.txt")
    authors = [c.author for c in thread.comments]
    assert authors == ["ReaderOne", "Mark Ellis", "ReaderOne", "Sofia B"]
    assert numbers(thread) == [None] * 4
    by_indent, by_mention = thread.comments[1], thread.comments[2]
    assert thread.get_comment(by_indent.parent_id).author == "ReaderOne"
    assert thread.get_comment(by_mention.parent_id).author == "Mark Ellis"
    assert thread.comments[0].created_at.hour == 9
    assert all(line != "Reply" for c in thread.comments for line in c.text.split("\n"))


def test_text_page_without_comments_is_an_article_alone():
    thread = read("article_only.txt")
    assert thread.comments == ()
    assert thread.article.author == "Ana Lind"
    assert len(thread.article.paragraphs) == 2


def test_text_page_numbered_comments_flush_left():
    thread = read("numbered_flush_left.txt")
    assert numbers(thread) == ["1", "2", "4"]
    assert thread.comments[2].text.startswith('"Landlords')
    assert len(thread.article.paragraphs) == 1


def test_text_page_refuses_empty_binary_and_oversized_input():
    with pytest.raises(EmptyInput, match="empty.txt"):
        read_thread(b"  \n\t\n", "empty.txt")
    with pytest.raises(BinaryInput, match="photo.txt"):
        read_thread(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.txt")
    with pytest.raises(InputTooLarge, match="big.txt"):
        read_thread(b"a" * 101, "big.txt", max_bytes=100)


def test_text_page_decodes_legacy_encodings():
    page = "By Zoë Brontë / Le Café\n\nLe café est fermé depuis été. Les habitués protestent déjà.\n"
    thread = read_thread(page.encode("cp1252"), "latin.txt", format="text")
    assert thread.article.author == "Zoë Brontë"


def test_detect_format_prefers_content_over_suffix():
    assert detect_format(EXAMPLE.read_bytes(), "page.html") == "text"
    assert detect_format(b"<!doctype html><html><body><p>x</p></body></html>", "page.txt") == "html"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_text_parser_never_crashes_on_bytes(data):
    try:
        thread = parse(data, "fuzz.txt")
    except ThreadwiseError:
        return
    for comment in thread.comments:
        assert comment.text.strip()


_PAGE_LIKE = st.sampled_from(list("ab1.2 3\n\t#@:\"-By")) | st.characters(exclude_categories=("Cs",))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_PAGE_LIKE, max_size=1500))
def test_text_parser_never_crashes_on_text(text):
    try:
        thread = parse(text.encode("utf-8"), "fuzz.txt")
    except ThreadwiseError:
        return
    assert all(c.text == c.text.strip() for c in thread.comments)

"""Comment exports: WordPress REST JSON, Disqus XML, Coral JSON, CSV/TSV, JSON lines, Parquet."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadwise.errors import (
    MalformedInput,
    MissingColumn,
    OrphanComment,
    ReplyCycle,
    ThreadwiseError,
)
from threadwise.ingest import detect_format, read_thread
from threadwise.ingest.exports import (
    article_from_json,
    html_to_text,
    load_article_sidecar,
    parse_coral_json,
    parse_csv,
    parse_disqus_xml,
    parse_jsonl,
    parse_parquet,
    parse_wordpress_json,
)
from threadwise.model import Article, Thread

FIXTURES = Path(__file__).parent / "fixtures" / "exports"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def tree(thread: Thread) -> list[tuple[str | None, str | None, str | None]]:
    """(source id, parent's source id, author) per comment, in thread order."""
    return [
        (c.source_id, thread.get_comment(c.parent_id).source_id if c.parent_id else None, c.author)
        for c in thread.comments
    ]


def texts(thread: Thread) -> list[str]:
    return [c.text for c in thread.comments]


def fixture(name: str) -> tuple[bytes, str]:
    path = FIXTURES / name
    return path.read_bytes(), str(path)


# --- each format ----------------------------------------------------------------------------------


def test_wordpress_sorts_oldest_first_and_maps_parent_zero_to_top_level() -> None:
    thread = parse_wordpress_json(*fixture("wordpress.json"))
    assert tree(thread) == [("10", None, "K. Obi"), ("11", None, "Tomás"), ("12", "10", "Ruth Amsel")]
    assert texts(thread) == [
        "The tram was late again.",
        "Line one\nline two & more",
        "Fair point — but the fares rose twice.\n\nSecond paragraph.",
    ]
    assert thread.comments[0].created_at == at(2024, 3, 4, 19, 30)  # date_gmt, not local date
    assert thread.article.url == "https://example-news.test/2024/03/04/tram-fares/"


def test_wordpress_uses_the_given_article() -> None:
    article = Article(id="given", title="Tram fares")
    thread = parse_wordpress_json(*fixture("wordpress.json"), article=article)
    assert thread.article == article
    assert {c.thread_id for c in thread.comments} == {"given"}


def test_wordpress_keeps_only_the_first_comments_post() -> None:
    items = json.loads(FIXTURES.joinpath("wordpress.json").read_text("utf-8"))
    items.append({**items[-1], "id": 99, "post": 7})
    thread = parse_wordpress_json(json.dumps(items).encode(), "mixed.json")
    assert "99" not in [c.source_id for c in thread.comments]


def test_disqus_takes_the_first_thread_with_posts_and_reparents_around_removed_posts() -> None:
    thread = parse_disqus_xml(*fixture("disqus.xml"))
    # 5002 (deleted) and 5004 (spam) are gone; 5003 moves up to 5001, 5005 to the top level;
    # 6001 belongs to another thread.
    assert tree(thread) == [("5001", None, "Harbour Watcher"), ("5003", "5001", "Pia"), ("5005", None, "Sam")]
    assert texts(thread)[:2] == ["Finally & about time.", "Replying to the removed one.\n\nStill here."]
    assert thread.comments[0].created_at == at(2024, 2, 10, 9)
    article = thread.article
    assert (article.url, article.title, article.author) == (
        "https://example-news.test/2024/02/harbour-plan/",
        "Council approves harbour plan",
        "Lena Ortiz",
    )
    assert article.paragraphs == ("The council voted 7\u20132.", "Work starts in May.")


def test_disqus_refuses_entities_and_malformed_xml() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><link>https://x.test/</link></thread>
<post dsq:id="2"><message>&x;</message><thread dsq:id="1"/></post></disqus>"""
    thread = parse_disqus_xml(bomb, "bomb.xml")
    assert "root:" not in thread.comments[0].text
    with pytest.raises(MalformedInput, match=r"broken\.xml"):
        parse_disqus_xml(b"<disqus><post>", "broken.xml")


def test_coral_reads_story_nested_authors_revisions_and_both_parent_keys() -> None:
    thread = parse_coral_json(*fixture("coral.json"))
    assert tree(thread) == [("c-1", None, "bookworm"), ("c-2", "c-1", "night_owl"), ("c-3", "c-2", "sceptic")]
    assert texts(thread) == [
        "Great news for students.",
        "Agreed.\nEspecially on Sundays.",
        "Who pays <for> it?\n\nTaxes.",
    ]
    assert thread.comments[2].created_at == at(2024, 4, 2, 9)
    assert (thread.article.title, thread.article.author) == ("Library extends opening hours", "Jo Park")


def test_coral_accepts_a_bare_list() -> None:
    data = json.dumps([{"id": 1, "body": "hi"}, {"id": 2, "parent_id": 1, "body": "ho"}]).encode()
    thread = parse_coral_json(data, "bare.json")
    assert tree(thread) == [("1", None, None), ("2", "1", None)]


def test_csv_reads_rows_and_the_article_sidecar() -> None:
    thread = read_thread(*fixture("comments.csv"), local_file=True)
    assert tree(thread) == [
        ("101", None, "Ada"),
        ("102", "101", "Ben"),
        ("103", None, "Cleo"),
        ("104", "102", None),
    ]
    assert texts(thread)[1] == "A reply\nover two lines."
    assert [c.number for c in thread.comments] == ["1", "2", "3", "4"]
    assert [c.created_at for c in thread.comments] == [
        at(2024, 5, 1, 10),
        at(2024, 5, 1, 10, 5),
        at(2024, 5, 1, 11),
        None,
    ]
    assert thread.article.id == "bridge-story"
    assert thread.article.paragraphs == ("The bridge reopened on Monday.", "Traffic was light.")


def test_an_upload_never_reads_a_sidecar_the_source_names(tmp_path: Path) -> None:
    # Over the API ``source`` is the client's word: it must not open files on the server's disk.
    (tmp_path / "internal.article.json").write_text(json.dumps({"title": "Secret", "text": "internal only"}))
    for source in (str(tmp_path / "internal.csv"), f"{tmp_path}/../{tmp_path.name}/internal.csv"):
        thread = read_thread(b"id,text\n1,probe\n", source)
        assert thread.article.title is None and thread.article.paragraphs == ()
        assert parse_csv(b"id,text\n1,probe\n", source).article.title is None
    assert read_thread(b"id,text\n1,probe\n", str(tmp_path / "internal.csv"), local_file=True).article.title == "Secret"


def test_csv_without_sidecar_gets_a_minimal_article_named_by_the_source(tmp_path: Path) -> None:
    data = b"id,text\n1,hello\n"
    first = parse_csv(data, str(tmp_path / "a.csv"))
    again = parse_csv(data, str(tmp_path / "a.csv"))
    other = parse_csv(data, str(tmp_path / "b.csv"))
    assert first.article.id == again.article.id != other.article.id
    assert first.article.paragraphs == ()


def test_tsv_is_sniffed() -> None:
    thread = parse_csv(*fixture("comments.tsv"))
    assert tree(thread) == [("1", None, "Ada"), ("2", "1", "Ben")]
    assert texts(thread)[0] == "Tabs, commas; all fine."


def test_jsonl_coerces_numbers_and_reads_epoch_seconds() -> None:
    thread = parse_jsonl(*fixture("comments.jsonl"))
    assert tree(thread) == [("1", None, "Ada"), ("2", "1", "Ben"), ("3", None, "Cleo")]
    assert texts(thread)[1] == "42"
    assert thread.comments[1].created_at == at(2024, 5, 1, 10, 5)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_parquet_reads_nullable_and_float_parent_ids() -> None:
    table = pa.table(
        {
            "id": [1, 2, 3],
            "parent_id": pa.array([None, 1.0, float("nan")], pa.float64()),  # as pandas writes them
            "author": ["Ada", "Ben", None],
            "text": ["top", "reply", "top again"],
            "created_at": pa.array([at(2024, 5, 1, 10), None, at(2024, 5, 1, 11)], pa.timestamp("s", "UTC")),
        }
    )
    thread = parse_parquet(parquet_bytes(table), "c.parquet")
    assert tree(thread) == [("1", None, "Ada"), ("2", "1", "Ben"), ("3", None, None)]
    assert thread.comments[2].created_at == at(2024, 5, 1, 11)


def test_unreadable_parquet_is_malformed() -> None:
    with pytest.raises(MalformedInput, match=r"x\.parquet"):
        parse_parquet(b"PAR1 not really parquet", "x.parquet")


def test_tabular_thread_column_keeps_one_thread() -> None:
    data = b"id,thread_id,text\n1,a,one\n2,b,two\n3,a,three\n"
    assert [c.source_id for c in parse_csv(data, "t.csv").comments] == ["1", "3"]
    chosen = parse_csv(data, "t.csv", article=Article(id="b"))
    assert [c.source_id for c in chosen.comments] == ["2"]


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("wordpress.json", "wordpress-json"),
        ("disqus.xml", "disqus-xml"),
        ("coral.json", "coral-json"),
        ("comments.csv", "csv"),
        ("comments.tsv", "csv"),
        ("comments.jsonl", "jsonl"),
    ],
)
def test_read_thread_detects_each_fixture(name: str, fmt: str) -> None:
    data, source = fixture(name)
    assert detect_format(data, source) == fmt
    assert read_thread(data, source).comments  # dispatched to a parser that understood it


def test_read_thread_detects_parquet_and_one_line_jsonl() -> None:
    table = pa.table({"id": ["x"], "text": ["hello"]})
    assert read_thread(parquet_bytes(table), "upload").comments[0].text == "hello"
    assert detect_format(b'{"id": 1, "text": "only one"}\n', "upload") == "jsonl"
    assert detect_format(b'[{"id": 1, "body": "<p>hi</p>"}]', "upload") == "coral-json"


# --- errors -----------------------------------------------------------------------------------


def test_csv_orphan_is_a_coded_error() -> None:
    with pytest.raises(OrphanComment) as caught:
        parse_csv(b"id,parent_id,text\n1,,a\n2,9,b\n", "orphans.csv")
    assert caught.value.code == "TW-E011"
    assert "orphans.csv" in str(caught.value)


@pytest.mark.parametrize("rows", [b"1,2,a\n2,1,b\n", b"1,,a\n2,3,b\n3,2,c\n", b"1,1,self\n"])
def test_csv_reply_cycle_is_a_coded_error(rows: bytes) -> None:
    with pytest.raises(ReplyCycle) as caught:
        parse_csv(b"id,parent_id,text\n" + rows, "cycle.csv")
    assert caught.value.code == "TW-E012"


def test_csv_missing_text_column_names_column_and_file() -> None:
    with pytest.raises(MissingColumn) as caught:
        parse_csv(b"id,author,body\n1,Ada,hello\n", "no-text.csv")
    message = str(caught.value)
    assert caught.value.code == "TW-E007"
    assert "text" in caught.value.message and "no-text.csv" in message


def test_row_without_text_names_the_row() -> None:
    with pytest.raises(MalformedInput, match=r"row 2 \(line 3\)"):
        parse_csv(b"id,text\n1,fine\n2,\n", "blank.csv")
    with pytest.raises(MalformedInput, match="line 2"):
        parse_jsonl(b'{"id": 1, "text": "a"}\n{"id": 2}\n', "blank.jsonl")


def test_bad_jsonl_line_names_the_line() -> None:
    with pytest.raises(MalformedInput) as caught:
        parse_jsonl(b'{"id": 1, "text": "a"}\n\n{"id": 2, "text": \n', "bad.jsonl")
    assert caught.value.code == "TW-E006"
    assert "line 3" in caught.value.message and "bad.jsonl" in str(caught.value)


def test_containers_where_text_belongs_are_malformed() -> None:
    with pytest.raises(MalformedInput, match="line 1: text is a dict"):
        parse_jsonl(b'{"id": 1, "text": {"a": 1}}\n', "nested.jsonl")


# --- article sidecar and HTML -----------------------------------------------------------------


def test_article_from_json_takes_paragraphs_or_splits_text() -> None:
    listed = article_from_json({"url": "https://x.test/a", "paragraphs": ["One", " ", "Two"]}, "s")
    assert listed.paragraphs == ("One", "Two")
    assert listed.id == article_from_json({"url": "https://x.test/a"}, "other").id  # keyed by URL
    assert article_from_json({"id": 7, "text": "A\n\n\nB\n"}, "s").paragraphs == ("A", "B")
    with pytest.raises(MalformedInput):
        article_from_json([], "s")


def test_sidecar_absent_or_broken(tmp_path: Path) -> None:
    assert load_article_sidecar(tmp_path / "c.csv") is None
    (tmp_path / "c.article.json").write_text("{not json")
    with pytest.raises(MalformedInput, match=r"c\.article\.json"):
        load_article_sidecar(tmp_path / "c.csv")


def test_html_to_text_keeps_paragraphs_and_line_breaks() -> None:
    markup = "<p>One &amp;\n two</p><blockquote>Quote<br>next</blockquote><script>x()</script>tail"
    assert html_to_text(markup) == "One & two\n\nQuote\nnext\n\ntail"
    assert html_to_text("plain\ntext 3 < 4") == "plain\ntext 3 < 4"


# --- robustness -------------------------------------------------------------------------------

_CELLS = st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_tabular_parsers_raise_only_coded_errors_on_arbitrary_bytes(data: bytes) -> None:
    for parse in (parse_csv, parse_jsonl):
        with contextlib.suppress(ThreadwiseError):
            parse(data, "fuzz")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=5, max_size=5), max_size=8))
def test_csv_with_the_right_header_raises_only_coded_errors(rows: list[list[str]]) -> None:
    lines = ["id,parent_id,author,text,created_at", *(",".join(r) for r in rows)]
    with contextlib.suppress(ThreadwiseError):
        parse_csv("\n".join(lines).encode("utf-8", "surrogatepass"), "fuzz.csv")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "parent_id", "text", "created_at"]), _CELLS)))
def test_jsonl_of_comment_like_objects_raises_only_coded_errors(objects: list[dict[str, object]]) -> None:
    data = "\n".join(json.dumps(o) for o in objects).encode()
    with contextlib.suppress(ThreadwiseError):
        parse_jsonl(data or b" ", "fuzz.jsonl")


def test_a_header_only_csv_and_an_unterminated_quote_are_refused() -> None:
    with pytest.raises(MalformedInput, match="header but no comment rows"):
        parse_csv(b"id,text\n", "empty.csv")
    with pytest.raises(MalformedInput, match="unreadable CSV"):
        parse_csv(b'id,text\n1,"an open quote\n2,swallowed\n', "open.csv")

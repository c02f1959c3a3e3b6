"""The editor's thread report: what it computes from findings, and how the page and JSON render it."""

from __future__ import annotations

import html
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLE
from threadwise.model import Article, Comment, Finding, Span, Thread
from threadwise.report import ReportInputs, build_report, render_html, render_json, report_inputs, svg, write_report
from threadwise.report.browser import CHROMIUM, render_check
from threadwise.report.model import Bucket, Highlight, Report
from threadwise.report.render import highlight
from threadwise.report.source import latest_findings

SECTIONS = ("sec-head", "sec-glance", "sec-persuasion", "sec-claims", "sec-topics", "sec-neutrality", "sec-comments")


@pytest.fixture(scope="module")
def example_inputs() -> ReportInputs:
    return report_inputs(str(EXAMPLE))  # the bundled page, analysed once for the module


@pytest.fixture(scope="module")
def example(example_inputs: ReportInputs) -> Report:
    return build_report(example_inputs)


def by_number(report: Report, number: str):  # type: ignore[no-untyped-def]
    return next(c for c in report.comments if c.number == number)


# --- the bundled example ------------------------------------------------------------------------------


def test_report_example_has_the_article_head(example: Report) -> None:
    head = example.article
    assert head.title == "The Ceasefire Nobody Wants to Talk About"
    assert (head.author, head.outlet) == ("Elena Marsh", "The Northern Review")
    assert head.credit and "Mira Kovach" in head.credit


def test_report_example_counts_the_quoted_paragraph(example: Report) -> None:
    # comment 3 opens by quoting "Critics will call this appeasement. It is not." from the third paragraph (the
    # republication notice above the body is not a paragraph)
    quoted = {p.index: p.quoted for p in example.paragraphs}
    assert quoted[2] == 1 and sum(quoted.values()) == 1
    assert example.article.republication and len(example.paragraphs) == 4


def test_report_example_links_the_grain_deal_claim_to_the_sentence_it_disputes(example: Report) -> None:
    group = next(g for g in example.claims if any("grain deal" in c.text for c in g.claims))
    assert group.article_sentence and "grain shipments" in group.article_sentence
    assert group.relation == "disputes" and group.paragraph == 1  # the second body paragraph
    assert example.paragraphs[1].disputed >= 1


def test_report_example_glance_adds_up(example: Report) -> None:
    glance = example.glance
    assert glance.comments == 10 and sum(glance.stance.values()) == 10
    assert sum(b.count for b in glance.incivility_by_position) == 10
    assert glance.incivility_over_time == []  # the page gives no comment times
    assert [b.label for b in glance.incivility_by_depth] == ["top level", "replies"]
    assert glance.targets.get("author", 0) >= 1  # "Marsh is a typical Western apologist"


def test_report_example_persuasion_examples_point_at_the_words(example: Report) -> None:
    names = {t.label: t for t in example.techniques}
    calling = names["name_calling"]
    assert any(s.number == "1" and s.marked == "apologist" for s in calling.examples)
    for technique in example.techniques:
        for s in technique.examples:
            assert s.marked in by_number(example, s.number).text


def test_report_example_topics_cover_every_comment_once(example: Report) -> None:
    assert sum(t.size for t in example.topics) == 10
    assert all(t.keywords for t in example.topics)
    assert {c.topic for c in example.comments} == {t.id for t in example.topics}


def test_report_example_lists_every_comment_with_its_page_number(example: Report) -> None:
    assert [c.number for c in example.comments] == ["1", "3", "4", "7", "8", "9", "10", "12", "13", "15"]
    reply = by_number(example, "13")
    assert (reply.depth, reply.reply_to) == (1, "3")
    assert "stance:" + reply.stance in reply.labels
    for comment in example.comments:
        assert all(0 <= h.start < h.end <= len(comment.text) for h in comment.highlights)


def test_report_example_neutrality_panel_counts_every_comment(example: Report) -> None:
    groups = example.neutrality["groups"]
    assert sum(g["comments"] for g in groups) == 10
    assert all(g["decided"] == 0 for g in groups)  # a file: nothing decided yet


def test_report_example_page_shows_every_section_and_requests_nothing(example: Report) -> None:
    page = render_html(example)
    for section in SECTIONS:
        assert f'id="{section}"' in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # no CDN, no remote asset
    assert "<svg" in page and "<style>" in page and "<script>" in page


def test_report_example_json_is_plain_data(example: Report) -> None:
    data = json.loads(render_json(example))
    assert data["article"]["title"] == example.article.title
    assert len(data["comments"]) == 10 and data["neutrality"]["policy"].startswith("default@")
    assert {"label", "comments"} == set(data["labels"][0])


# --- hand-built threads ----------------------------------------------------------------------------------


def hand_thread(*texts: str) -> Thread:
    article = Article(id="t1", title="Title <b>bold</b>", author="A. Writer", paragraphs=("One para.", "Two para."))
    comments = tuple(Comment(id=f"c{i}", thread_id="t1", text=t, position=i, number=str(i + 1))
                     for i, t in enumerate(texts))
    return Thread(article, comments)


def test_report_escapes_comment_and_article_text() -> None:
    text = '<script>alert("x")</script> you idiot'
    thread = hand_thread(text)
    start = text.index("idiot")
    findings = [Finding("c0", "toxicity", "1", "toxicity", 0.9, spans=(Span(start, start + 5, "insult"),))]
    page = render_html(build_report(ReportInputs(thread, findings)))
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "Title &lt;b&gt;bold&lt;/b&gt;" in page
    assert '<mark class="k-toxicity" title="toxicity: insult">idiot</mark>' in page


def test_report_without_comments_still_renders() -> None:
    report = build_report(ReportInputs(hand_thread(), []))
    assert report.glance.comments == 0 and report.topics == [] and report.claims == []
    assert 'id="sec-comments"' in render_html(report)


def test_report_filter_labels_come_from_findings() -> None:
    thread = hand_thread("You are a clown.", "Fine by me.")
    findings = [Finding("c0", "toxicity", "1", "insult", 0.8, spans=(Span(10, 15, "insult"),)),
                Finding("c0", "toxicity", "1", "toxicity", 0.85, spans=(Span(10, 15, "insult"),)),
                Finding("c1", "stance", "1", "support", 0.7)]
    report = build_report(ReportInputs(thread, findings))
    assert set(report.comments[0].labels) == {"insult", "toxicity", "stance:none", "policy:review"}
    assert report.comments[1].labels == ["stance:support"]
    assert dict(report.labels)["stance:support"] == 1


def test_highlight_splits_overlapping_spans() -> None:
    marked = highlight("abcdef", [Highlight(0, 4, "toxicity", "insult"), Highlight(2, 6, "persuasion", "doubt")])
    assert str(marked) == ('<mark class="k-toxicity" title="toxicity: insult">ab</mark>'
                           '<mark class="k-persuasion k-toxicity" title="toxicity: insult, persuasion: doubt">cd</mark>'
                           '<mark class="k-persuasion" title="persuasion: doubt">ef</mark>')


def test_svg_charts_are_well_formed_and_escape_labels() -> None:
    charts = [svg.hbars([svg.Bar("<a & b>", 3, "3", marker=1.5), svg.Bar("c", 0, "0")], "t"),
              svg.columns([Bucket("1–5", 0.4, 5), Bucket("6", 0.9, 1)], "t", threshold=0.5),
              svg.columns([], "empty"), svg.stacked([("x", 2, "c-support"), ("y", 0, "c-deny")], "t")]
    for chart in charts:
        ET.fromstring(str(chart))  # raises on malformed XML
    assert "&lt;a &amp; b&gt;" in str(charts[0])


def test_latest_findings_keeps_each_comments_latest_run() -> None:
    old = [Finding("c0", "toxicity", "1", "toxicity", 0.9, run_id="r1"), Finding("c1", "toxicity", "1", "toxicity", 0.1,
                                                                                  run_id="r1")]
    new = [Finding("c0", "toxicity", "1", "toxicity", 0.2, run_id="r2")]
    assert latest_findings([*old, *new]) == [old[1], new[0]]


# --- errors ------------------------------------------------------------------------------------------


def test_write_report_refuses_an_unknown_format_before_any_analysis(tmp_path: Path) -> None:
    with pytest.raises(Exception) as caught:
        write_report("no-such-thread", tmp_path / "r.pdf", "pdf")
    assert getattr(caught.value, "code", None) == "TW-E101"
    assert not (tmp_path / "r.pdf").exists()


def test_write_report_refuses_an_output_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(Exception) as caught:
        write_report(str(EXAMPLE), tmp_path / "missing" / "r.html")
    assert getattr(caught.value, "code", None) == "TW-E102"


def test_write_report_names_an_unknown_thread(tmp_path: Path) -> None:
    with pytest.raises(Exception) as caught:
        write_report("deadbeef", tmp_path / "r.html", db=f"sqlite:///{tmp_path / 'x.db'}")
    assert getattr(caught.value, "code", None) == "TW-E103" and "deadbeef" in str(caught.value)
    assert not list(tmp_path.glob("r.html*"))


# --- in the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_page(example: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no browser at {CHROMIUM}: run `make browser`")
        pytest.skip(f"no browser at {CHROMIUM} (`make browser` installs Debian's chromium)")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(example), encoding="utf-8")
    return path


def test_report_page_renders_from_a_file_without_errors_or_requests(example_page: Path) -> None:
    check = render_check(example_page)
    assert check.console_errors == [] and check.page_errors == []
    assert check.requests == []  # self-contained: nothing fetched, not even a font or an icon
    assert check.sections == list(SECTIONS)


def test_report_page_filters_comments_by_label(example_page: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(example_page.as_uri())
        visible = page.locator(".comment:visible")
        assert visible.count() == 10
        page.click('.filter[data-label="name_calling"]')
        shown = [page.locator(".comment:visible .num").nth(i).inner_text() for i in range(visible.count())]
        page.click('.filter[data-label=""]')
        assert visible.count() == 10
        browser.close()
    assert shown and "#1" in shown and len(shown) < 10


def test_report_docs_show_a_screenshot_of_every_section() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "report"
    pictures = sorted(p.name for p in docs.glob("*.png"))
    assert [re.sub(r"^\d+-|\.png$", "", p) for p in pictures] == [s.removeprefix("sec-") for s in SECTIONS]
    readme = (docs / "README.md").read_text(encoding="utf-8")
    assert all(f"({p})" in readme for p in pictures)


@given(text=st.text(max_size=60), cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6))
def test_highlight_keeps_the_text_whatever_the_spans(text: str, cuts: list[tuple[int, int]]) -> None:
    spans = [Highlight(min(a, b, len(text)), min(max(a, b), len(text)), "claims", "claim") for a, b in cuts]
    marked = str(highlight(text, spans))
    assert html.unescape(re.sub(r"<[^>]+>", "", marked)) == text
    assert marked.count("<mark") == marked.count("</mark>")


def test_report_numbers_unnumbered_comments_as_show_does_and_reads_dates_and_titles() -> None:
    """An HTML page's comments carry no number: the report, like `show`, counts them #1, #2… and a reply
    names its parent so, never "#?" or a raw id; the date reads as a date, the title without the site."""
    from datetime import UTC, datetime

    article = Article(id="page", title="Amazon Liable for Defective Products | California Globe",
                      outlet="California Globe", published_at=datetime(2020, 8, 14, tzinfo=UTC))  # fmt: skip
    comments = (Comment(id="8232dfb0719462a5", thread_id="page", text="First.", position=0),
                Comment(id="b", thread_id="page", text="A reply.", position=1, parent_id="8232dfb0719462a5"))
    report = build_report(ReportInputs(Thread(article, comments), []))
    assert [(c.number, c.reply_to) for c in report.comments] == [("1", None), ("2", "1")]
    assert [c.label for c in comments] == ["1", "2"]
    page = render_html(report)
    assert "#?" not in page and "reply to #8232dfb0719462a5" not in page and "reply to #1" in page
    assert "14 August 2020" in page and "2020-08-14T00:00:00" not in page.split("<script")[0]
    assert "<h1>Amazon Liable for Defective Products</h1>" in page
    assert "comment numbers" not in page

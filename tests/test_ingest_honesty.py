"""Honest ingest, on real pages of the trafilatura evaluation set (a public dataset): a page whose comments a
script loads says so (and how to get them) instead of storing "0 new"; pingbacks, trackbacks and comment-section
boilerplate are not reader comments."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from threadwise.cli import app
from threadwise.ingest import read_thread

DATASET = "trafilatura_eval_pages_with_comments"
PAGES = SHARED_DATA / DATASET / "html"
needs_pages = pytest.mark.datasets(DATASET)  # skipped, naming the dataset and its source, where it is absent


def page(name: str) -> bytes:
    return gzip.decompress((PAGES / f"{name}.html.gz").read_bytes())


@needs_pages
@pytest.mark.parametrize(("name", "system"), [("nymag.com.polarization", "Coral"),
                                              ("gothamist.com-plagues", "OpenWeb"),
                                              ("vancouversun.com.microsoft", "Viafoura")])  # fmt: skip
def test_a_page_whose_comments_a_script_loads_says_so(name: str, system: str) -> None:
    thread = read_thread(page(name), f"{name}.html")
    assert thread.comments == ()
    (note,) = thread.notes
    assert "holds no comment markup" in note and f"loaded by script ({system}" in note
    assert "ingest" in note  # and what to ingest instead


@needs_pages
def test_cli_ingest_warns_for_a_script_loaded_page_instead_of_ticking(tmp_path: Path) -> None:
    source = tmp_path / "nymag.html"
    source.write_bytes(page("nymag.com.polarization"))
    result = CliRunner().invoke(app, ["ingest", str(source), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "✓" not in said and "loaded by script (Coral)" in said and "coral-json" in said


@needs_pages
def test_pingbacks_are_not_reader_comments_on_california_globe() -> None:
    html = page("californiaglobe.com.amazon")
    thread = read_thread(html, "californiaglobe.html")
    assert html.count(b'class="pingback') == 8
    assert len(thread.comments) == 12  # the page's 20 list items, less its 8 pingbacks
    assert not any("[…]" in c.text or c.text.startswith("Pingback") for c in thread.comments)


BOILERPLATE = """<html><body><article><h1>Story</h1><p>The council met on Tuesday and voted on the plan.</p></article>
<ol class="comment-list">
  <li class="comment" id="comment-1"><div class="comment-author">Ann</div>
      <div class="comment-content"><p>A real comment about the plan, by a reader.</p></div></li>
  <li class="trackback" id="comment-2"><div class="comment-content"><p>Other blog: the plan […]</p></div></li>
  <li class="comment" id="comment-3"><div class="comment-content"><p>There are no comments yet – be the first
      to share your thoughts!</p></div></li>
  <li class="comment" id="comment-4"><div class="comment-content"><p>Please read our community guidelines
      before commenting. Abusive comments will be removed.</p></div></li>
</ol></body></html>"""


def test_boilerplate_and_trackbacks_are_not_comments() -> None:
    thread = read_thread(BOILERPLATE.encode(), "boilerplate.html")
    assert [c.text for c in thread.comments] == ["A real comment about the plan, by a reader."]

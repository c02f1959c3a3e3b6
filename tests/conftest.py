"""Shared fixtures: where the public datasets are, and small hand-built threads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from threadwise.model import Article, Comment, Thread

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = REPO / "examples" / "op-ed-ceasefire.txt"
SHARED_DATA = Path(os.environ.get("THREADWISE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the public datasets are expected at {SHARED_DATA} (set THREADWISE_SHARED_DATA)")
    return SHARED_DATA


def make_thread(*specs: tuple[str, str | None]) -> Thread:
    """A thread from (comment id, parent id) pairs, built by hand."""
    article = Article(id="t1", title="A title", paragraphs=("First paragraph.",))
    comments = tuple(
        Comment(id=cid, thread_id="t1", text=f"comment {cid}", position=i, parent_id=parent, number=str(i + 1))
        for i, (cid, parent) in enumerate(specs)
    )
    return Thread(article=article, comments=comments)

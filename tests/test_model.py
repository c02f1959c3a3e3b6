import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_thread
from threadwise.errors import DuplicateCommentId, ForeignComment, OrphanComment, ReplyCycle
from threadwise.model import Article, Comment, Span, Thread


def test_thread_tree_navigation_follows_page_order():
    thread = make_thread(("a", None), ("b", "a"), ("c", None), ("d", "b"))
    assert [c.id for c in thread.replies(None)] == ["a", "c"]
    assert [c.id for c in thread.ancestors("d")] == ["b", "a"]
    assert [c.id for c in thread.iter_comments()] == ["a", "b", "d", "c"]
    assert thread.depth("d") == 2


def test_thread_rejects_duplicate_ids_with_code():
    with pytest.raises(DuplicateCommentId) as error:
        make_thread(("a", None), ("a", None))
    assert error.value.code == "TW-E010"


def test_thread_rejects_orphans_with_code():
    with pytest.raises(OrphanComment, match="'x'") as error:
        make_thread(("a", None), ("b", "x"))
    assert error.value.code == "TW-E011"


def test_thread_rejects_cycles_with_code():
    with pytest.raises(ReplyCycle) as error:
        make_thread(("a", "c"), ("b", "a"), ("c", "b"))
    assert error.value.code == "TW-E012"


def test_thread_rejects_comment_of_another_thread():
    article = Article(id="t1")
    with pytest.raises(ForeignComment):
        Thread(article, (Comment(id="a", thread_id="t2", text="x", position=0),))


def test_thread_pickles_with_its_index():
    thread = make_thread(("a", None), ("b", "a"))
    copy = pickle.loads(pickle.dumps(thread))
    assert copy == thread
    assert [c.id for c in copy.replies("a")] == ["b"]


def test_span_refuses_inverted_range():
    with pytest.raises(ValueError):
        Span(5, 2)


@given(st.lists(st.integers(min_value=-1, max_value=30), max_size=30))
def test_thread_accepts_every_tree_and_rejects_every_cycle(parents):
    # comment i replies to parents[i] when that is an earlier comment (a tree), else to a later one
    specs = [(str(i), str(p) if 0 <= p < len(parents) and p != i else None) for i, p in enumerate(parents)]
    forward_only = all(p is None or int(p) < i for i, (_, p) in enumerate(specs))
    try:
        thread = make_thread(*specs)
    except ReplyCycle:
        assert not forward_only
        return
    assert sorted(c.id for c in thread.iter_comments()) == sorted(s[0] for s in specs)

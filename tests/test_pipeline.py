"""The pipeline's contract with analysers, using small hand-written analysers as plug-ins would be."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

import pytest

from conftest import make_thread
from threadwise.analysers.base import AnalyserConfigError, CommentContext, UnknownAnalyser, finding, get_analyser_class
from threadwise.analysers.checks import check_analyser
from threadwise.model import Comment, Finding, Span
from threadwise.pipeline import Pipeline


class ShoutAnalyser:
    """Flags upper-case words; a span per word."""

    name: ClassVar[str] = "shout"
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("shouting",)
    needs_embedding: ClassVar[bool] = False

    def __init__(self, min_length: int = 3) -> None:
        self.min_length = min_length

    def setup(self) -> ShoutAnalyser:
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        for context in batch:
            spans, offset = [], 0
            for word in context.text.split(" "):
                if len(word) >= self.min_length and word.isupper():
                    spans.append(Span(offset, offset + len(word), "shouting"))
                offset += len(word) + 1
            if spans:
                yield finding(self, context, "shouting", 0.9, spans=tuple(spans))


class EchoAnalyser:
    """Reads the shout findings: proves required findings reach a dependent analyser."""

    name: ClassVar[str] = "echo"
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ("shout",)
    labels: ClassVar[tuple[str, ...]] = ("saw_shouting",)
    needs_embedding: ClassVar[bool] = False

    def setup(self) -> EchoAnalyser:
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        for context in batch:
            if context.findings_of("shout"):
                yield finding(self, context, "saw_shouting", 1.0)


class BrokenAnalyser(ShoutAnalyser):
    name: ClassVar[str] = "broken"

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        raise RuntimeError("model file corrupt")


class SloppyAnalyser(ShoutAnalyser):
    labels: ClassVar[tuple[str, ...]] = ("something_else",)


def context(text: str, cid: str = "z") -> CommentContext:
    return CommentContext(Comment(id=cid, thread_id="t", text=text, position=0))


def test_pipeline_orders_by_requires_and_passes_findings():
    pipeline = Pipeline([EchoAnalyser(), ShoutAnalyser()])
    assert pipeline.names == ("shout", "echo")
    contexts = [context("STOP this NOW", "x"), context("calm words", "y")]
    result = pipeline.run(contexts, run_id="r1")
    labels = sorted((f.comment_id, f.label) for f in result.findings)
    assert labels == [("x", "saw_shouting"), ("x", "shouting")]
    assert all(f.run_id == "r1" for f in result.findings)
    shout = next(f for f in result.findings if f.label == "shouting")
    assert [contexts[0].text[s.start : s.end] for s in shout.spans] == ["STOP", "NOW"]


def test_pipeline_refuses_unmet_requires_before_any_data():
    with pytest.raises(AnalyserConfigError, match="shout"):
        Pipeline([EchoAnalyser()])


def test_pipeline_records_a_failing_analyser_and_runs_the_rest():
    thread = make_thread(("a", None), ("b", "a"))
    result = Pipeline([BrokenAnalyser(), ShoutAnalyser()]).run_thread(thread)
    assert [f.analyser for f in result.failures] == ["broken"]
    assert "model file corrupt" in result.failures[0].error
    assert result.failures[0].comment_ids == ("a", "b")


def test_unknown_analyser_names_the_known_ones():
    with pytest.raises(UnknownAnalyser, match="toxicity"):
        get_analyser_class("no-such-analyser")


def test_check_analyser_passes_a_conforming_analyser():
    assert check_analyser(ShoutAnalyser()) == []  # the sample texts hold no all-caps word of 3+ letters
    assert [f.label for f in check_analyser(ShoutAnalyser(), [context("NO WAY")])] == ["shouting"]


def test_check_analyser_catches_undeclared_labels():
    with pytest.raises(AssertionError, match="not declared"):
        check_analyser(SloppyAnalyser(), [context("NO WAY")])

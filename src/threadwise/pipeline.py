"""Pipeline: analysers in dependency order over batches of comments.

The pipeline validates the configuration before touching data (unknown analysers, unmet
``requires``), embeds each text once for the analysers that need it, feeds each analyser the findings
of those it requires, and records an analyser that raises (per batch, with its error) instead of
dropping it silently or failing the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from graphlib import CycleError, TopologicalSorter

from threadwise.analysers.base import (
    Analyser,
    AnalyserConfigError,
    CommentContext,
    available_analysers,
    get_analyser_class,
)
from threadwise.analysers.embed import Embedder, shared_embedder
from threadwise.analysers.language_routing import route_by_language
from threadwise.model import Finding, Thread

DEFAULT_ANALYSERS = ("toxicity", "persuasion", "stance", "target", "claims", "quotes", "constructive")


@dataclass(frozen=True)
class AnalyserFailure:
    """One analyser raised on one batch: the rest of the pipeline still ran."""

    analyser: str
    comment_ids: tuple[str, ...]
    error: str


@dataclass
class PipelineResult:
    findings: list[Finding] = field(default_factory=list)
    failures: list[AnalyserFailure] = field(default_factory=list)

    def extend(self, other: PipelineResult) -> None:
        self.findings.extend(other.findings)
        self.failures.extend(other.failures)


class Pipeline:
    def __init__(self, analysers: Sequence[Analyser], *, embedder: Embedder | None = None,
                 batch_size: int = 64) -> None:
        # Comments not in English reach the multilingual toxicity model (analysers/language_routing.py).
        self.analysers = _in_dependency_order(route_by_language(analysers))
        self.embedder = embedder
        self.batch_size = batch_size
        self._ready = False

    @classmethod
    def from_names(cls, names: Sequence[str] | None = None, **options: object) -> Pipeline:
        """Build from analyser names (default: every built-in that is installed)."""
        wanted = list(names) if names else [n for n in DEFAULT_ANALYSERS if n in available_analysers()]
        return cls([get_analyser_class(name)() for name in wanted], **options)  # type: ignore[arg-type]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.analysers)

    def setup(self) -> Pipeline:
        if not self._ready:
            for analyser in self.analysers:
                analyser.setup()
            if self.embedder is None and any(a.needs_embedding for a in self.analysers):
                self.embedder = shared_embedder()
            self._ready = True
        return self

    def run(self, contexts: Sequence[CommentContext], run_id: str | None = None,
            on_batch: Callable[[int], None] | None = None) -> PipelineResult:
        """Analyse contexts in batches; every finding stamped with ``run_id``; ``on_batch(n)`` after each batch of
        ``n`` comments (progress)."""
        self.setup()
        result = PipelineResult()
        for start in range(0, len(contexts), self.batch_size):
            batch = contexts[start : start + self.batch_size]
            result.extend(self._run_batch(batch, run_id))
            if on_batch is not None:
                on_batch(len(batch))
        return result

    def run_thread(self, thread: Thread, run_id: str | None = None) -> PipelineResult:
        return self.run(list(iter_contexts(thread)), run_id)

    def _run_batch(self, batch: Sequence[CommentContext], run_id: str | None) -> PipelineResult:
        result = PipelineResult()
        if self.embedder is not None and any(a.needs_embedding for a in self.analysers):
            vectors, states = self.embedder.encode_with_states([c.text for c in batch])
            batch = [replace(c, embedding=v, token_states=s) for c, v, s in zip(batch, vectors, states, strict=True)]
        by_comment: dict[str, list[Finding]] = {c.comment.id: list(c.findings) for c in batch}
        for analyser in self.analysers:
            contexts = [replace(c, findings=tuple(by_comment[c.comment.id])) for c in batch]
            try:
                produced = [replace(f, run_id=run_id) for f in analyser.analyse(contexts)]
            except Exception as error:  # an analyser's bug must not sink the others: record it
                ids = tuple(c.comment.id for c in batch)
                result.failures.append(AnalyserFailure(analyser.name, ids, f"{type(error).__name__}: {error}"))
                continue
            for item in produced:
                by_comment[item.comment_id].append(item)
            result.findings.extend(produced)
        return result


def iter_contexts(thread: Thread) -> Iterator[CommentContext]:
    for comment in thread.comments:
        yield CommentContext(comment=comment, article=thread.article, ancestors=thread.ancestors(comment.id))


def _in_dependency_order(analysers: Sequence[Analyser]) -> list[Analyser]:
    by_name = {a.name: a for a in analysers}
    for analyser in analysers:
        missing = [r for r in analyser.requires if r not in by_name]
        if missing:
            raise AnalyserConfigError(
                f"analyser {analyser.name!r} requires {', '.join(missing)}, which the pipeline lacks",
                fix="add the required analysers or drop this one",
            )
    try:
        order = TopologicalSorter({a.name: a.requires for a in analysers}).static_order()
    except CycleError as error:
        raise AnalyserConfigError(f"analysers require each other in a loop: {error.args[1]}") from error
    return [by_name[name] for name in order]

"""The analyser contract: what every analyser, built-in or plug-in, declares and does.

An analyser declares its ``name``, ``version`` (bump when outputs can change), the analysers whose
findings it ``requires``, every ``label`` it may emit, and whether it ``needs_embedding`` (the pipeline
then embeds each text once and shares the vector). ``setup()`` loads models (idempotent, learned state
in attributes ending in ``_``); ``analyse(batch)`` is pure over its batch: no store, no network, no
globals. Built-ins register through the same entry-point group as third-party analysers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np

from threadwise.analysers.embed import TokenStates
from threadwise.errors import ThreadwiseError
from threadwise.model import Article, Comment, Finding

ENTRY_POINT_GROUP = "threadwise.analysers"


class UnknownAnalyser(ThreadwiseError):
    code = "TW-E040"


class AnalyserConfigError(ThreadwiseError):
    code = "TW-E041"


@dataclass(frozen=True, slots=True)
class CommentContext:
    """What an analyser may read about one comment: the comment, its article, its ancestors (parent
    first), the findings of required analysers, and — when asked for — its sentence embedding and the token states
    of the pass that gave it (a sentence's vector in context: ``token_states.span_vector``)."""

    comment: Comment
    article: Article | None = None
    ancestors: tuple[Comment, ...] = ()
    findings: tuple[Finding, ...] = ()
    embedding: np.ndarray | None = field(default=None, compare=False)
    token_states: TokenStates | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.comment.text

    @property
    def parent(self) -> Comment | None:
        return self.ancestors[0] if self.ancestors else None

    def findings_of(self, analyser: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.analyser == analyser)


@runtime_checkable
class Analyser(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]
    labels: ClassVar[tuple[str, ...]]
    needs_embedding: ClassVar[bool]

    def setup(self) -> Self: ...

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]: ...


def get_params(analyser: Any) -> dict[str, Any]:
    """Constructor settings, scikit-learn style: public attributes not ending in ``_``."""
    return {k: v for k, v in vars(analyser).items() if not k.startswith("_") and not k.endswith("_")}


def finding(analyser: Analyser, context: CommentContext, label: str, score: float, **kwargs: Any) -> Finding:
    """A finding stamped with the analyser's name and version; the score clipped into [0, 1]."""
    return Finding(
        comment_id=context.comment.id,
        analyser=analyser.name,
        analyser_version=analyser.version,
        label=label,
        score=float(min(1.0, max(0.0, score))),
        **kwargs,
    )


def available_analysers() -> tuple[str, ...]:
    """Names of every registered analyser, built-ins and plug-ins alike (nothing is imported)."""
    return tuple(sorted(e.name for e in entry_points(group=ENTRY_POINT_GROUP)))


def get_analyser_class(name: str) -> type[Analyser]:
    """Load one analyser class by its registered name."""
    for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
        cls: type[Analyser] = entry.load()
        return cls
    raise UnknownAnalyser(f"no analyser named {name!r}", fix=f"known analysers: {', '.join(available_analysers())}")

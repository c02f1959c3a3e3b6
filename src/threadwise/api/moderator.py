"""The API's one loaded moderation engine: the policy and the analyser pipeline, shared by every request.

Two tiers. ``accurate``: the whole analyser pipeline, so a queued comment carries every finding (persuasion,
stance, claims… shown to moderators). ``fast``: only the analysers the policy reads (its rules', toxicity and
quotes) — the pre-moderation latency budget (see
docs/BENCHMARKS.md). Each is loaded once per process (the first app's lifespan; later apps, as in tests, reuse
it) and warmed with one comment, so the first real request does not pay for the lazily loaded embedding
model. Pipeline runs are serialised by one lock: the analysers' caches are not made for several threads at once, and one
CPU-bound run at a time is also the fastest order.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path

from threadwise.analysers.base import get_analyser_class
from threadwise.model import Article, Comment, Finding, Thread
from threadwise.moderation import Premoderation, premoderate, submit_comment
from threadwise.pipeline import Pipeline
from threadwise.policy import ALWAYS_READ, Policy, Suggestion, load_policy, suggest
from threadwise.service import analyse_thread
from threadwise.store import Store

_RUN_LOCK = threading.Lock()


@functools.cache
def shared_pipeline(analysers: tuple[str, ...] | None = None) -> Pipeline:
    """The process's one loaded pipeline for these analysers (None: all, accurate tier), warmed with one comment."""
    if analysers is None:
        pipeline = Pipeline.from_names().setup()
    else:
        pipeline = Pipeline([get_analyser_class(n)() for n in analysers]).setup()
    warm_up = Comment(id="warm-up", thread_id="warm-up", text="Hello.", position=0)
    with _RUN_LOCK:
        analyse_thread(Thread(Article(id="warm-up"), (warm_up,)), pipeline=pipeline)
    return pipeline


def fast_analysers(policy: Policy) -> tuple[str, ...]:
    """The analysers the policy reads: its rules', toxicity (every suggestion shows its scores) and quotes."""
    return tuple(sorted({*ALWAYS_READ, *(rule.analyser for rule in policy.rules)}))


class Moderator:
    def __init__(self, policy: Policy, pipeline: Pipeline) -> None:
        self.policy = policy
        self.pipeline = pipeline
        self._lock = _RUN_LOCK

    @classmethod
    def load(cls, policy_path: str | Path | None = None, *, accurate: bool = True) -> Moderator:
        policy = load_policy(policy_path)
        return cls(policy, shared_pipeline(None if accurate else fast_analysers(policy)))

    def submit(
        self, store: Store, thread_id: str, text: str, author: str | None, parent_id: str | None = None,
        *, author_id: str | None = None,
    ) -> tuple[Comment, Suggestion]:
        """Pre-moderate and store one new comment of a stored thread (``moderation.submit_comment``)."""
        with self._lock:
            return submit_comment(store, self.policy, thread_id, text, author, parent_id, pipeline=self.pipeline,
                                  author_id=author_id)  # fmt: skip

    def premoderate(self, store: Store, thread: Thread, comment_ids: Sequence[str] | None = None) -> Premoderation:
        with self._lock:
            return premoderate(store, self.policy, thread, comment_ids, pipeline=self.pipeline)

    def assess(
        self, article: Article, comment: Comment, ancestors: Sequence[Comment] = ()
    ) -> tuple[Suggestion, list[Finding]]:
        """The policy's suggestion for a comment that is not stored (Coral's): nothing is written."""
        with self._lock:
            analysis = analyse_thread(Thread(article, (*ancestors, comment)), pipeline=self.pipeline)
        findings = analysis.findings_for(comment.id)
        return suggest(self.policy, comment, findings), findings

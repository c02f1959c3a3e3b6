"""What moderation would do with a text: the policy's action and the toxicity score behind it.

The audit measures the shipped path, not a shortcut: the analysers the policy reads run through the real
pipeline, in either toxicity tier moderation uses (``TIERS``), and ``policy.suggest`` turns their findings
into an action. Only the analysers some rule names are run, because a rule can
only read those (the policy refuses rules on stance, topic or side), so the others cannot change the action.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from threadwise.analysers.base import CommentContext, get_analyser_class
from threadwise.audit.errors import AuditError, UnknownTier
from threadwise.model import Article, Comment, Finding, make_id
from threadwise.neutrality import FLAG_ACTIONS, toxicity_score
from threadwise.pipeline import Pipeline
from threadwise.policy import ALWAYS_READ, Policy, Suggestion, load_policy, suggest

# The two tiers moderation runs: ``accurate`` (CLI pre-moderation, reports, the API with --accurate) and ``fast``
# (the API's pre-moderation latency budget). Both run the analysers the policy reads, toxicity on the fine-tuned
# conduct model, so the audit measures both the same way; the name says which path a report stands for.
TIERS = ("accurate", "fast")


@dataclass(frozen=True)
class Verdict:
    """The policy's suggestion for one text and the overall toxicity score it saw."""

    text: str
    action: str
    toxicity: float
    reason: str
    rejected_with_evidence: bool

    @property
    def flagged(self) -> bool:
        """Flag = the policy suggests review or reject."""
        return self.action in FLAG_ACTIONS

    @property
    def held(self) -> bool:
        """Hold = the policy suggests review (a person looks before it is published)."""
        return self.action == "review"

    @property
    def rejected(self) -> bool:
        return self.action == "reject"


class PolicyScorer:
    """Scores texts once each (results are cached by text) under one policy."""

    def __init__(self, policy: Policy | None = None, batch_size: int = 64, tier: str = "accurate") -> None:
        if tier not in TIERS:
            raise UnknownTier(f"no toxicity tier named {tier!r}", fix=f"tiers: {', '.join(TIERS)}")
        self.policy = policy or load_policy(None)
        self.tier = tier
        names = sorted({rule.analyser for rule in self.policy.rules} | set(ALWAYS_READ))
        self.pipeline = Pipeline([get_analyser_class(n)() for n in names], batch_size=batch_size)
        self._stance: Pipeline | None = None
        self._cache: dict[tuple[str, str | None], Verdict] = {}
        # what the analysers found per text: shared with every scorer made by ``with_policy``
        self._readings: dict[tuple[str, str | None], tuple[Comment, list[Finding]]] = {}

    def with_policy(self, policy: Policy) -> PolicyScorer:
        """A scorer for ``policy`` sharing this one's analysers and readings, so that a text judged under several
        policies is analysed once; ``policy`` may read only analysers this scorer runs."""
        wanted = {rule.analyser for rule in policy.rules} | set(ALWAYS_READ)
        missing = wanted - {analyser.name for analyser in self.pipeline.analysers}
        if missing:
            raise AuditError(f"policy {policy.name}@{policy.version} reads {', '.join(sorted(missing))}, "
                             "which this scorer does not run")
        other = copy.copy(self)
        other.policy, other._cache = policy, {}
        return other

    def stance_pipeline(self) -> Pipeline:
        """The stance analyser alone (the panel groups comments by it), loaded once."""
        if self._stance is None:
            self._stance = Pipeline.from_names(["stance"])
        return self._stance

    @property
    def label(self) -> str:
        """``name@version``, plus the policy file's digest: a version not bumped on an edit still shows."""
        source = Path(self.policy.source)
        digest = f" sha256:{hashlib.sha256(source.read_bytes()).hexdigest()[:12]}" if source.is_file() else ""
        return f"{self.policy.name}@{self.policy.version}{digest}, {self.tier} tier"

    def score(self, texts: Sequence[str], article: Article | None = None) -> list[Verdict]:
        """One verdict per text, in order; ``article``: the article the comments answer (optional)."""
        key = article.id if article else None
        missing = list(dict.fromkeys(t for t in texts if (t, key) not in self._cache))
        if missing:
            for verdict in self._score_new(missing, article):
                self._cache[(verdict.text, key)] = verdict
        return [self._cache[(t, key)] for t in texts]

    def _score_new(self, texts: Sequence[str], article: Article | None) -> Iterable[Verdict]:
        for comment, findings in self._read(texts, article):
            yield _verdict(comment.text, suggest(self.policy, comment, findings), toxicity_score(findings))

    def _read(self, texts: Sequence[str], article: Article | None) -> list[tuple[Comment, list[Finding]]]:
        """Each text's comment and findings, through the real pipeline; a text read before is not read again."""
        key = article.id if article else None
        missing = [t for t in dict.fromkeys(texts) if (t, key) not in self._readings]
        if missing:
            thread_id = article.id if article else "audit"
            comments = [Comment(id=make_id("audit", text), thread_id=thread_id, text=text, position=i)
                        for i, text in enumerate(missing)]
            result = self.pipeline.run([CommentContext(comment=c, article=article) for c in comments])
            if result.failures:  # a silently missing finding would read as "approve" and fake a pass
                raise AuditError(f"analyser {result.failures[0].analyser} failed: {result.failures[0].error}")
            by_comment: dict[str, list[Finding]] = {c.id: [] for c in comments}
            for item in result.findings:
                by_comment[item.comment_id].append(item)
            for comment in comments:
                self._readings[(comment.text, key)] = (comment, by_comment[comment.id])
        return [self._readings[(t, key)] for t in texts]


def _verdict(text: str, suggestion: Suggestion, toxicity: float) -> Verdict:
    return Verdict(text, suggestion.action, toxicity, suggestion.reason,
                   suggestion.action == "reject" and bool(suggestion.evidence))

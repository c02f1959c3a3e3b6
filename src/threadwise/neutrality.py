"""Per-thread neutrality panel: are commenters on one side of the article flagged or held more often?

Moderation must act on conduct, never on opinion. This module groups a thread's comments by their
stance toward the article (the stance analyser's ``support``/``deny``/``query``/``comment``; ``none``
when it gave none) and reports, per group:

- **flag rate**: the share the policy suggests to review or reject (``policy.suggest`` on the findings);
- **hold rate**: among comments with a recorded decision, the share whose latest decision holds them
  (review, reject or escalate, by the policy or a person);
- **mean toxicity**: the mean overall toxicity score, the conduct the policy is meant to read;
- **expected flag/hold rate**: what the rate would be if it depended on conduct alone — each comment
  counts with the thread-wide rate of its conduct level (the strongest toxicity label, binned), i.e.
  direct standardisation on conduct. A group's ``unexplained`` rate is observed minus expected.

``NeutralityPanel.explained_share`` says how much of the largest gap between groups' flag rates the
conduct levels account for (1.0: all of it; 0.0: none). Use ``panel_for_analysis`` for an in-memory
analysis, ``panel_for_store`` for a stored thread (it reads the stored decisions too), or ``build_panel``
with your own findings and decisions (the neutrality audit feeds it counterfactual pairs this way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from threadwise.model import Comment, Decision, Finding, Thread
from threadwise.policy import DEFAULT_POLICY, Policy, load_policy, suggest
from threadwise.policy.rules import CONDUCT_LABELS

if TYPE_CHECKING:  # typing only: service and store import far more than this module needs
    from threadwise.service import Analysis
    from threadwise.store import Store

STANCE_GROUPS = ("support", "deny", "query", "comment", "none")
FLAG_ACTIONS = frozenset({"review", "reject"})
HOLD_ACTIONS = frozenset({"review", "reject", "escalate"})
# Conduct levels for standardisation: the strongest toxicity-label score, cut at these edges.
CONDUCT_EDGES = (0.2, 0.5, 0.8)
CONDUCT_LEVELS = ("civil", "edgy", "rude", "abusive")


@dataclass(frozen=True)
class GroupRates:
    """One stance group's counts and rates (rates are None when there is nothing to divide by)."""

    stance: str
    comments: int
    flagged: int
    decided: int
    held: int
    mean_toxicity: float | None
    flag_rate: float | None
    hold_rate: float | None
    expected_flag_rate: float | None
    expected_hold_rate: float | None
    conduct_mix: dict[str, int]  # comments per conduct level

    @property
    def unexplained_flag_rate(self) -> float | None:
        """Observed minus conduct-expected flag rate: what conduct levels do not account for."""
        if self.flag_rate is None or self.expected_flag_rate is None:
            return None
        return self.flag_rate - self.expected_flag_rate


@dataclass(frozen=True)
class NeutralityPanel:
    """Flag and hold rates per stance group in one thread, with how much conduct explains the gap."""

    thread_id: str
    policy: str
    groups: tuple[GroupRates, ...]
    flag_gap: float  # largest difference in flag rate between groups of at least ``min_group`` comments
    unexplained_flag_gap: float  # the same, after conduct standardisation
    min_group: int

    @property
    def explained_share(self) -> float | None:
        """Share of ``flag_gap`` that conduct levels account for; None when there is no gap."""
        if self.flag_gap <= 0:
            return None
        return max(0.0, 1.0 - self.unexplained_flag_gap / self.flag_gap)

    def group(self, stance: str) -> GroupRates:
        return next(g for g in self.groups if g.stance == stance)

    def to_dict(self) -> dict[str, Any]:
        groups = [{**asdict(g), "unexplained_flag_rate": g.unexplained_flag_rate} for g in self.groups]
        return {"thread_id": self.thread_id, "policy": self.policy, "groups": groups, "flag_gap": self.flag_gap,
                "unexplained_flag_gap": self.unexplained_flag_gap, "explained_share": self.explained_share,
                "min_group": self.min_group}


# --- per-comment readings ---------------------------------------------------------------------------


def article_stance(findings: Iterable[Finding]) -> str:
    """The comment's stance toward the article (``none`` when the stance analyser gave none)."""
    best = max((f for f in findings if f.analyser == "stance" and f.label in STANCE_GROUPS),
               key=lambda f: f.score, default=None)
    return best.label if best is not None else "none"


def toxicity_score(findings: Iterable[Finding]) -> float:
    """The overall toxicity score (0 when the analyser gave none)."""
    return max((f.score for f in findings if f.analyser == "toxicity" and f.label == "toxicity"), default=0.0)


def conduct_level(findings: Iterable[Finding]) -> str:
    """The strongest conduct label's score, binned into ``CONDUCT_LEVELS``."""
    labels = set(CONDUCT_LABELS["toxicity"])
    strongest = max((f.score for f in findings if f.analyser == "toxicity" and f.label in labels), default=0.0)
    return CONDUCT_LEVELS[sum(strongest >= edge for edge in CONDUCT_EDGES)]


# --- the panel ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    stance: str
    level: str
    toxicity: float
    flagged: bool
    held: bool | None  # None: no decision recorded


def build_panel(thread: Thread, findings: Sequence[Finding], decisions: Mapping[str, Decision] | None = None,
                policy: Policy | None = None, *, min_group: int = 5,
                actions: Mapping[str, str] | None = None) -> NeutralityPanel:
    """The panel for ``thread`` from its findings and each comment's latest decision (if any).

    ``decisions`` maps comment id → latest decision; comments without one count for the flag rate only.
    ``min_group``: groups smaller than this are listed but left out of the gaps (their rates are noise).
    ``actions``: comment id → the policy's suggested action, when the caller has already asked the policy.
    """
    policy = policy or load_policy(DEFAULT_POLICY)
    by_comment: dict[str, list[Finding]] = {}
    for item in findings:
        by_comment.setdefault(item.comment_id, []).append(item)
    rows = [_row(policy, c, by_comment.get(c.id, []), (decisions or {}).get(c.id), (actions or {}).get(c.id))
            for c in thread.comments]
    flag_by_level = _rate_by_level(rows, lambda r: r.flagged)
    hold_by_level = _rate_by_level([r for r in rows if r.held is not None], lambda r: bool(r.held))
    groups = tuple(_group(s, [r for r in rows if r.stance == s], flag_by_level, hold_by_level) for s in STANCE_GROUPS)
    sized = [g for g in groups if g.comments >= min_group]
    return NeutralityPanel(thread.id, f"{policy.name}@{policy.version}", groups,
                           _spread([g.flag_rate for g in sized]), _spread([g.unexplained_flag_rate for g in sized]),
                           min_group)


def panel_for_analysis(analysis: Analysis, policy: Policy | None = None, *, min_group: int = 5) -> NeutralityPanel:
    """The panel for a ``service.Analysis`` (in memory: flag rates only, no decisions)."""
    return build_panel(analysis.thread, analysis.findings, None, policy, min_group=min_group)


def panel_for_store(store: Store, thread: Thread, findings: Sequence[Finding], policy: Policy | None = None,
                    *, min_group: int = 5) -> NeutralityPanel:
    """The panel for a stored thread, with each comment's latest stored decision."""
    latest = {item.comment.id: item.decision for item in store.queue(thread_id=thread.id, limit=None)
              if item.decision is not None}
    return build_panel(thread, findings, latest, policy, min_group=min_group)


def _row(policy: Policy, comment: Comment, findings: list[Finding], decision: Decision | None,
         action: str | None) -> _Row:
    flagged = (action or suggest(policy, comment, findings).action) in FLAG_ACTIONS
    held = None if decision is None else decision.action in HOLD_ACTIONS
    return _Row(article_stance(findings), conduct_level(findings), toxicity_score(findings), flagged, held)


def _rate_by_level(rows: Sequence[_Row], hit: Callable[[_Row], bool | None]) -> dict[str, float]:
    out = {}
    for level in CONDUCT_LEVELS:
        mine = [r for r in rows if r.level == level]
        if mine:
            out[level] = sum(1 for r in mine if hit(r)) / len(mine)
    return out


def _group(stance: str, rows: list[_Row], flag_by_level: dict[str, float],
           hold_by_level: dict[str, float]) -> GroupRates:
    decided = [r for r in rows if r.held is not None]
    flagged = sum(r.flagged for r in rows)
    held = sum(bool(r.held) for r in decided)
    return GroupRates(
        stance=stance, comments=len(rows), flagged=flagged, decided=len(decided), held=held,
        mean_toxicity=_mean([r.toxicity for r in rows]),
        flag_rate=flagged / len(rows) if rows else None,
        hold_rate=held / len(decided) if decided else None,
        expected_flag_rate=_mean([flag_by_level[r.level] for r in rows]),
        expected_hold_rate=_mean([hold_by_level[r.level] for r in decided]),
        conduct_mix={level: sum(r.level == level for r in rows) for level in CONDUCT_LEVELS},
    )  # fmt: skip


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _spread(values: Sequence[float | None]) -> float:
    known = [v for v in values if v is not None]
    return max(known) - min(known) if len(known) > 1 else 0.0

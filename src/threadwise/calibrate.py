"""How well the current thresholds agree with each community's moderators, and which would agree better.

The ground truth is what ``comments:suggestscore`` stored: Coral posts a 0 for every comment its
moderators approve and a 1 for every one they reject. Each stored comment is scored again with the
server's scorer (one sent in a language the models do not read, or in a script they cannot read, counts
as unscored), and for every threshold in force on that attribute (the policy's rules on its label, plus
any a client applies itself, such as Coral's toxicity threshold) a comment counts as *held* when it
scores at least the threshold. Agreement is the share of comments where held = rejected.

A proposal is the threshold on a 0.01 grid with the highest agreement (ties: the one nearest the current
threshold, so a proposal moves no further than the data asks). It is a report, never a change: the live
policy file is not written, and a community with fewer than ``min_feedback`` verdicts, or only one kind
of verdict, gets no proposal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from threadwise.errors import InvalidThreshold
from threadwise.perspective_attributes import ATTRIBUTES, is_served
from threadwise.policy import Policy
from threadwise.store import ScoreSuggestion

GRID = tuple(round(0.01 * i, 2) for i in range(1, 100))
DEFAULT_MIN_FEEDBACK = 20

Scores = Callable[[str], Mapping[str, float] | None]  # text → label scores; None: the text cannot be scored


@dataclass(frozen=True)
class Threshold:
    """A threshold in force: a policy rule's (``source`` its name) or one a client applies (``client``)."""

    source: str
    value: float
    action: str = "hold"


@dataclass(frozen=True)
class Agreement:
    threshold: float
    agree: int  # held and rejected, or passed and approved
    held_approved: int  # held although the moderators approved it
    passed_rejected: int  # passed although the moderators rejected it
    total: int

    @property
    def rate(self) -> float:
        return self.agree / self.total if self.total else 0.0


@dataclass(frozen=True)
class Calibration:
    """One community and attribute: its verdicts, the current thresholds' agreement, the proposal."""

    community: str
    attribute: str
    verdicts: int
    rejected: int
    unscored: int
    current: tuple[tuple[Threshold, Agreement], ...]
    proposed: Agreement | None
    note: str = ""


def parse_thresholds(specs: Iterable[str]) -> dict[str, float]:
    """``["TOXICITY=0.8"]`` → ``{"TOXICITY": 0.8}``; refuses an unknown attribute or a score outside [0, 1]."""
    out = {}
    for spec in specs:
        name, _, raw = spec.partition("=")
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if name not in ATTRIBUTES or not 0.0 <= value <= 1.0:
            raise InvalidThreshold(f"not a threshold: {spec!r}", source=spec)
        out[name] = value
    return out


def thresholds_for(attribute: str, policy: Policy, client: Mapping[str, float]) -> list[Threshold]:
    """The thresholds in force on ``attribute``: the policy's rules on its label, then the client's."""
    label = ATTRIBUTES[attribute]
    found = [Threshold(r.name, r.min_score, r.action) for r in policy.rules
             if r.analyser == "toxicity" and r.label == label]  # fmt: skip
    if attribute in client:
        found.append(Threshold("client", client[attribute]))
    return found


def calibrate(suggestions: Sequence[ScoreSuggestion], scores: Scores, policy: Policy,
              client: Mapping[str, float] | None = None,
              min_feedback: int = DEFAULT_MIN_FEEDBACK) -> list[Calibration]:  # fmt: skip
    """One Calibration per community and attribute threadwise scores, in community then attribute order."""
    groups: dict[tuple[str, str], list[ScoreSuggestion]] = defaultdict(list)
    for suggestion in suggestions:
        if suggestion.attribute in ATTRIBUTES:
            groups[(suggestion.community, suggestion.attribute)].append(suggestion)
    cache: dict[str, Mapping[str, float] | None] = {}
    results = []
    for (community, attribute), rows in sorted(groups.items()):
        pairs = []
        for row in rows:
            if not is_served(row.languages):
                continue  # the English models would score it, and mean nothing
            if row.text not in cache:
                cache[row.text] = scores(row.text)
            scored = cache[row.text]
            if scored is not None:
                pairs.append((scored[ATTRIBUTES[attribute]], row.decision == "reject"))
        current = thresholds_for(attribute, policy, client or {})
        results.append(_calibration(community, attribute, len(rows), pairs, current, min_feedback))
    return results


def agreement(pairs: Sequence[tuple[float, bool]], threshold: float) -> Agreement:
    """How a threshold agrees with (score, rejected) pairs."""
    held_approved = sum(score >= threshold and not rejected for score, rejected in pairs)
    passed_rejected = sum(score < threshold and rejected for score, rejected in pairs)
    total = len(pairs)
    return Agreement(threshold, total - held_approved - passed_rejected, held_approved, passed_rejected, total)


def propose(pairs: Sequence[tuple[float, bool]], near: float) -> Agreement:
    """The grid threshold agreeing best; among equals, the one nearest ``near``."""
    return max((agreement(pairs, t) for t in GRID), key=lambda a: (a.agree, -abs(a.threshold - near)))


def _calibration(community: str, attribute: str, verdicts: int, pairs: list[tuple[float, bool]],
                 current: list[Threshold], min_feedback: int) -> Calibration:  # fmt: skip
    rejected = sum(r for _, r in pairs)
    measured = tuple((t, agreement(pairs, t.value)) for t in current)
    note = ""
    proposed = None
    if len(pairs) < min_feedback:
        note = f"{len(pairs)} scored verdicts, fewer than {min_feedback}: no proposal"
    elif rejected in (0, len(pairs)):
        note = "every verdict is the same: no threshold can be told apart"
    else:
        proposed = propose(pairs, near=current[0].value if current else 0.5)
    return Calibration(community, attribute, verdicts, rejected, verdicts - len(pairs), measured, proposed, note)


def calibration_record(result: Calibration) -> dict[str, object]:
    """A Calibration as plain JSON values."""

    def measured(a: Agreement) -> dict[str, object]:
        return {"threshold": a.threshold, "agreement": round(a.rate, 4), "agree": a.agree,
                "held_approved": a.held_approved, "passed_rejected": a.passed_rejected}  # fmt: skip

    return {
        "community": result.community, "attribute": result.attribute, "verdicts": result.verdicts,
        "rejected": result.rejected, "unscored": result.unscored,
        "current": [{"source": t.source, "action": t.action, **measured(a)} for t, a in result.current],
        "proposed": measured(result.proposed) if result.proposed else None, "note": result.note,
    }  # fmt: skip

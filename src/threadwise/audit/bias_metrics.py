"""Identity-bias metrics of Borkan et al. (2019): subgroup AUC, BPSN and BNSP, and false-positive rates.

For a subgroup (comments mentioning an identity) against the background (the rest):
subgroup AUC separates toxic from non-toxic within the subgroup; BPSN (background positive, subgroup
negative) is low when the model scores the subgroup's harmless comments above the background's toxic ones;
BNSP (background negative, subgroup positive) is low when it scores the subgroup's toxic comments below the
background's harmless ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score


@dataclass(frozen=True)
class SubgroupAuc:
    subgroup: str
    size: int
    positives: int
    subgroup_auc: float | None
    bpsn_auc: float | None
    bnsp_auc: float | None


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    if labels.size == 0 or labels.all() or not labels.any():
        return None  # undefined without both classes
    return float(roc_auc_score(labels, scores))


def subgroup_aucs(name: str, in_group: Sequence[bool], labels: Sequence[bool], scores: Sequence[float]) -> SubgroupAuc:
    member, y, s = np.asarray(in_group, bool), np.asarray(labels, bool), np.asarray(scores, float)
    bpsn = (member & ~y) | (~member & y)
    bnsp = (member & y) | (~member & ~y)
    return SubgroupAuc(name, int(member.sum()), int((member & y).sum()), _auc(y[member], s[member]),
                       _auc(y[bpsn], s[bpsn]), _auc(y[bnsp], s[bnsp]))


def false_positive_rate(flagged: Sequence[bool]) -> float:
    """Share of harmless comments flagged (``flagged`` holds benign cases only)."""
    return sum(flagged) / len(flagged) if flagged else 0.0

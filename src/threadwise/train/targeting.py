"""Does a policy hold offence aimed at someone and let swearing at no one pass? Measured on training data only.

OLID's level B tells targeted offence (TIN: an insult or threat aimed at a person or group) from untargeted
offence (UNT: "non-targeted profanity and swearing", its annotation guide). The rows of OLID's *training* file
that the conduct model never trained on (left out of its sample, or in its dev split) show what a policy does
with each; the conduct dev rows of real sources that annotators marked as an insult, identity attack or threat
are the guard: attacks a change must keep holding. No evaluation set is read here.

    python -m threadwise.train.targeting [POLICY.toml ...]     # default: the shipped default policy
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from threadwise.analysers.conduct import TASKS
from threadwise.policy.rules import load_policy
from threadwise.train import shared_data_dir
from threadwise.train import toxicity_data as td
from threadwise.train.conduct_data import build, is_dev, olid

ATTACKS = ("insult", "identity_attack", "threat")


def olid_unseen(data: Path) -> dict[str, list[str]]:
    """OLID training-file tweets the conduct model did not train on, by level-B class (NOT for inoffensive)."""
    trained = {r.text for r in olid(data) if not is_dev(r.text)}
    out: dict[str, list[str]] = {"TIN": [], "UNT": [], "NOT": []}
    for r in td._rows(data / "olid_offenseval2019" / "OLIDv1.0" / "olid-training-v1.0.tsv", "\t"):
        if r["tweet"] not in trained:
            out[r["subtask_b"] if r["subtask_a"] == "OFF" else "NOT"].append(r["tweet"])
    return out


def guard_rows(data: Path) -> list[str]:
    """Conduct dev rows of real sources that annotators marked as an attack on someone."""
    _, dev = build(data)
    columns = [TASKS.index(t) for t in ATTACKS]
    return [r.text for r in dev if not r.source.startswith("synthetic")
            and any(r.targets[k] >= 0.5 for k in columns if not np.isnan(r.targets[k]))]


def measure(policies: list[Path | None], data: Path) -> list[dict[str, Any]]:
    from threadwise.audit.scoring import PolicyScorer

    sets = {**olid_unseen(data), "guard": guard_rows(data)}
    loaded = [load_policy(path) for path in policies]
    first = PolicyScorer(loaded[0])
    rows = []
    for policy in loaded:
        scorer = first.with_policy(policy)  # every text is analysed once, whatever the number of policies
        shares = {name: float(np.mean([v.flagged for v in scorer.score(texts)])) for name, texts in sets.items()}
        rows.append({"policy": scorer.label, **{f"{k}_flagged": round(v, 4) for k, v in shares.items()},
                     "targeted_accuracy": round((shares["TIN"] + 1 - shares["UNT"]) / 2, 4),
                     **{f"{k}_n": len(v) for k, v in sets.items()}})
    return rows


def main(argv: list[str]) -> None:
    policies: list[Path | None] = [Path(a) for a in argv] or [None]
    for row in measure(policies, shared_data_dir()):
        print(row)


if __name__ == "__main__":
    main(sys.argv[1:])

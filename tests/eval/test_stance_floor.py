"""CI quality gate for the stance pair model: the fast held-out subset must not fall below pinned floors.

Measured 2026-12-02 with evaluate(fast=True) (stance 2.0.0; RumourEval 2017 official test, all 1,049 tweets;
SemEval-2016 6A test, every fourth tweet, 313; FNC-1 held-out bodies, every sixth pair, 816): figures in FLOORS'
comments; each floor is the measured figure minus 0.02.
"""

from __future__ import annotations

import pytest

from threadwise.train import shared_data_dir, stance

pytestmark = pytest.mark.datasets(use="eval stance")

FLOORS = {
    ("rumoureval_test", "accuracy"): 0.71,  # measured 0.7369 (majority class 0.7417; published best 0.784)
    ("rumoureval_test", "macro_f1"): 0.46,  # measured 0.4831 (majority class 0.2129)
    ("semeval2016_test", "f_avg"): 0.63,  # measured 0.6533 (published best 0.678 on the full test)
    ("fnc1_heldout_bodies", "relative_score"): 0.80,  # measured 0.8293
    ("fnc1_heldout_bodies", "macro_f1"): 0.57,  # measured 0.5998
}


@pytest.fixture(scope="module")
def metrics() -> dict:
    return stance.evaluate(shared_data_dir(), fast=True)


def test_stance_fast_subset_meets_floors(metrics: dict) -> None:
    low = {f"{d}.{m}": metrics[d][m] for (d, m), floor in FLOORS.items() if metrics[d][m] < floor}
    assert not low, f"stance metrics below their floors: {low}"


def test_stance_beats_the_majority_class_on_macro_f1_and_prints_its_goals(metrics: dict) -> None:
    assert metrics["rumoureval_test"]["macro_f1"] > metrics["rumoureval_test_majority"]["macro_f1"] + 0.2
    assert {g["measure"].split(",")[0] for g in metrics["goals"]} >= {"RumourEval-2017 A official test"}


@pytest.mark.xfail(strict=True, reason="measured 0.7369 / 0.4831 on RumourEval test vs the goal 0.80 / 0.60")
def test_rumoureval_goal(metrics: dict) -> None:
    assert metrics["rumoureval_test"]["accuracy"] >= 0.80 and metrics["rumoureval_test"]["macro_f1"] >= 0.60

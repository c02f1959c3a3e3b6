"""CI quality gate for the constructive head: grouped 5-fold CV on a fixed 300-comment SFU subset.

Measured on that subset (evaluate(fast=True), head version 1.0.0): accuracy 0.8400, F1 (constructive) 0.8500;
the length-only baseline scores 0.8467 there and the majority class 0.5267. Floors = measured - 0.02.
"""

from __future__ import annotations

import pytest

from threadwise.train import constructive, shared_data_dir

pytestmark = pytest.mark.datasets(use="eval constructive")

FLOORS = {"accuracy": 0.82, "f1_constructive": 0.83}


def test_constructive_fast_eval_meets_floor() -> None:
    metrics = constructive.evaluate(shared_data_dir(), fast=True)
    for name, floor in FLOORS.items():
        assert metrics[name] >= floor, f"{name} {metrics[name]} fell below the pinned floor {floor}"
    # the head must beat always-guessing the majority class by a wide margin
    assert metrics["accuracy"] >= metrics["majority_accuracy"] + 0.2

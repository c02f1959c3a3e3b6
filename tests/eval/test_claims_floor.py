"""CI quality gate for the claims head: F1 of the Yes class on a fixed half of CheckThat! 2024 test_gold.

Measured on that subset (evaluate(fast=True), head version 1.0.0, threshold 0.2 from dev-test): F1 0.7083,
precision 0.7083, recall 0.7083 (full test_gold: F1 0.6495). Floors = measured - 0.03 (170 sentences: one
flipped prediction moves F1 by ~0.01).
"""

from __future__ import annotations

import pytest

from threadwise.train import claims, shared_data_dir

pytestmark = pytest.mark.datasets(use="eval claims")

FLOORS = {"f1_yes": 0.68, "precision_yes": 0.67, "recall_yes": 0.67}


def test_claims_fast_eval_meets_floor() -> None:
    metrics = claims.evaluate(shared_data_dir(), fast=True)["test_gold"]
    for name, floor in FLOORS.items():
        assert metrics[name] >= floor, f"{name} {metrics[name]} fell below the pinned floor {floor}"

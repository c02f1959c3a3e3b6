"""CI quality gate for the claims head: F1 of the Yes class on a fixed half of CheckThat! 2024 test_gold.

Measured on that subset (evaluate(fast=True), head version 1.0.0 fitted on lone and in-passage sentences,
threshold 0.17 from dev-test, 2026-12-04): each sentence alone (the task's protocol) F1 0.7143, precision 0.7000,
recall 0.7292; each sentence in its passage of test sentences (as the pipeline reads a comment) F1 0.6939,
precision 0.6800, recall 0.7083 (full test_gold: 0.6404 / 0.6341). Floors = measured - 0.03 (170 sentences: one
flipped prediction moves F1 by ~0.01).
"""

from __future__ import annotations

import pytest

from threadwise.train import claims, shared_data_dir

pytestmark = pytest.mark.datasets(use="eval claims")

FLOORS = {
    "test_gold": {"f1_yes": 0.68, "precision_yes": 0.67, "recall_yes": 0.69},
    "test_gold_in_context": {"f1_yes": 0.66, "precision_yes": 0.65, "recall_yes": 0.67},
}


def test_claims_fast_eval_meets_floor() -> None:
    measured = claims.evaluate(shared_data_dir(), fast=True)
    for mode, floors in FLOORS.items():
        for name, floor in floors.items():
            assert measured[mode][name] >= floor, f"{mode} {name} {measured[mode][name]} fell below the floor {floor}"

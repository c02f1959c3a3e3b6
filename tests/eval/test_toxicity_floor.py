"""CI quality gate for the conduct model behind the toxicity analyser: the fast evaluation must stay above
pinned floors (``threadwise eval toxicity --fast``).

The fast subset: every 4th HateCheck case (932) through the default policy, every wikipedia test positive with
600 negatives, the first 300 SemEval-2021 test comments for spans and categories. Floors are the figures measured
on this subset when the model was trained, minus 0.02 (HateCheck rows minus 0.03: a policy-level figure, re-measured
when the policy's thresholds change).
"""

from __future__ import annotations

import pytest
from floors import floor_test, metrics_fixture

from threadwise.train import shared_data_dir
from threadwise.train.toxicity_eval import evaluate

pytestmark = pytest.mark.datasets(use="eval toxicity")

# metric: floor  (measured on the fast subset when heads/conduct was trained)
FLOORS = {
    "hatecheck_accuracy_ours": 0.72,  # measured 0.7554 (policy default@4)
    "hatecheck_hateful_ours": 0.87,  # measured 0.9019 (policy default@4)
    "hatecheck_non_hateful_ours": 0.40,  # measured 0.4310 (policy default@4)
    "hatecheck_threat_dir_rejected_ours": 0.88,  # measured 0.9118 (policy default@4)
    "wiki_gc_auc": 0.76,  # measured 0.7863
    "wiki_gn_auc": 0.95,  # measured 0.9784
    "tsd_test_char_f1": 0.64,  # measured 0.6693
    "category_insult_auc": 0.82,  # measured 0.8460
    "category_identity_attack_auc": 0.77,  # measured 0.7900
    "category_profanity_auc": 0.82,  # measured 0.8416
    "category_threat_auc": 0.90,  # measured 0.9254
}


metrics = metrics_fixture(lambda: evaluate(shared_data_dir(), fast=True))
test_metric_above_floor = floor_test(FLOORS)


def test_holds_direct_threats_as_perspective_does_and_its_spans_beat_no_spans(metrics: dict) -> None:
    assert metrics["hatecheck_threat_dir_held_ours"] >= metrics["hatecheck_threat_dir_held_perspective"]
    assert metrics["tsd_test_char_f1"] > metrics["tsd_test_empty_prediction_f1"] + 0.3


@pytest.mark.xfail(strict=True, reason=(
    "measured on the fast subset with model 2.3.0: wikipedia gc ROC-AUC 0.786 vs the api column's 0.787 (2.0.0, "
    "trained with Skoltech's official test split, had 0.793)"))
def test_beats_the_api_column_on_wikipedia_gc(metrics: dict) -> None:
    assert metrics["wiki_gc_auc"] > metrics["wiki_gc_api_auc"]


@pytest.mark.xfail(strict=True, reason=(
    "measured on the fast subset with model 2.3.0 and default@4: HateCheck flag accuracy 0.755 vs Perspective 0.769 "
    "on the same 932 cases; hateful 0.902 (Perspective 0.897), non-hateful 0.431 (0.486): counter-speech quoting "
    "hate, swearing and abuse of individuals are held (docs/EVAL.md)"))
def test_beats_perspective_on_hatecheck_overall(metrics: dict) -> None:
    assert metrics["hatecheck_accuracy_ours"] > metrics["hatecheck_accuracy_perspective"]


def test_every_goal_row_is_printed_beside_its_anchor(metrics: dict) -> None:
    rows = {g["measure"]: g for g in metrics["goals"]}
    assert any(m.startswith("HateCheck flag accuracy") for m in rows)
    assert all(g["anchor"] and g["goal"] for g in rows.values())

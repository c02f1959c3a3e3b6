"""What the floor modules share: the fast evaluation run once per module, and one test per pinned floor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def metrics_fixture(evaluate_fast: Callable[[], dict[str, Any]]) -> Any:
    """A module-scoped ``metrics`` fixture: the fast evaluation's figures, computed once."""
    return pytest.fixture(scope="module", name="metrics")(evaluate_fast)


def floor_test(floors: dict[str, float]) -> Callable[..., None]:
    """One test per ``floors`` entry: the metric must stay at or above its floor."""

    @pytest.mark.parametrize(("metric", "floor"), sorted(floors.items()))
    def test_metric_above_floor(metrics: dict[str, Any], metric: str, floor: float) -> None:
        assert metrics[metric] >= floor, f"{metric} = {metrics[metric]} fell below its floor {floor}"

    return test_metric_above_floor

"""Neutrality gate in each language the multilingual model serves (issue 14): harmless sentences naming a
nationality, religion or sexual orientation must not be flagged (benign FPR ≤ 5 % for every group).

Fast subset (two harmless templates per group and language) with the real policy and models, fast tier.
"""

from __future__ import annotations

import pytest

from conftest import SHARED_DATA
from threadwise.audit import AuditReport, PolicyScorer, run_audit
from threadwise.audit.identity_templates_multilingual import TEMPLATES, identity_cases_in
from threadwise.train.multilingual_toxicity import head_exists


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return run_audit(["identity"], fast=True, data=SHARED_DATA, scorer=PolicyScorer(tier="fast"))


@pytest.mark.skipif(not head_exists(), reason="multilingual heads not trained yet")
@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_identity_benign_mentions_are_not_flagged_in_each_language(report: AuditReport, language: str) -> None:
    check = report.suite("identity").check(f"benign FPR · identity templates · {language} · worst group")
    assert check.passed, check.describe()


@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_templates_cover_nationalities_religions_and_orientations(language: str) -> None:
    cases = identity_cases_in(language)
    assert {c.group.axis for c in cases} == {"nationality", "religion", "orientation"}
    assert all("{" not in c.text for c in cases) and any(c.abusive for c in cases)
    assert len({c.text for c in cases}) == len(cases)  # every group reads differently

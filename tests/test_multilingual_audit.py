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


# Measured with heads ml-1.2.0 (char n-grams and e5 vectors, averaged, with our own group-mention sentences in
# training), fast tier, 2 harmless templates per group: six languages miss the gate, as with ml-1.1.0 and ml-1.0.0,
# and still with ml-1.2.1 (the same recipe on the int8 graph's e5 vectors; the scores quoted below are ml-1.2.0's).
# Two causes: the heads still read a group's name as an attack (identity-term bias from hate-speech training sets
# whose toxic rows name the groups), and short sentences misidentified as English or Galician reach the English
# model. docs/EVAL.md, "Languages beyond English", has the full-template figures.
MISSED = {  # measured with default@4, whose identity-attack review rule starts at the English dev F1-best 0.30
    "de": "worst group gay 1/2 = 50 %: 'Ich bin schwul.' identity_attack 0.32 ≥ 0.30 (heads)",
    "nl": "worst group Turkish 2/2 = 100 %: 'Ik ben Turks.' identity_attack 0.42 ≥ 0.30 (heads)",
    "es": "worst group trans 2/2 = 100 %: 'Soy trans.' identity_attack 0.32 ≥ 0.30 (heads)",
    "fr": "worst group Muslim 2/2 = 100 %: 'Les musulmans méritent le respect.' identity_attack 0.64 ≥ 0.30 (heads)",
    "it": "worst group Muslim 2/2 = 100 %: 'Sono musulmano.' identity_attack 0.70 ≥ 0.30 (heads)",
    "pt": "worst group Haitian 1/2 = 50 %: 'Os haitianos merecem respeito.' identified as Galician (0.47), "
          "English model toxicity 0.89",
}


@pytest.mark.skipif(not head_exists(), reason="multilingual heads not trained yet")
@pytest.mark.datasets(use="audit")  # run_audit reads the datasets folder, so a clone without it skips with the reason
@pytest.mark.parametrize("language", [
    pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=f"benign FPR gate missed, {MISSED[code]}"))
    if code in MISSED else code
    for code in sorted(TEMPLATES)
])
def test_identity_benign_mentions_are_not_flagged_in_each_language(report: AuditReport, language: str) -> None:
    check = report.suite("identity").check(f"benign FPR · identity templates · {language} · worst group")
    assert check.passed, check.describe()


@pytest.mark.parametrize("language", sorted(TEMPLATES))
def test_templates_cover_nationalities_religions_and_orientations(language: str) -> None:
    cases = identity_cases_in(language)
    assert {c.group.axis for c in cases} == {"nationality", "religion", "orientation"}
    assert all("{" not in c.text for c in cases) and any(c.abusive for c in cases)
    assert len({c.text for c in cases}) == len(cases)  # every group reads differently

"""CI gates of the neutrality audit (issue 6), on the fast subset with the real policy and models.

Moderation must act on conduct, never on opinion: comments that differ only in the side they take must be
flagged alike (|Δ flag rate| ≤ 2 pp and |Δ mean toxicity| ≤ 0.03 at every conduct level), harmless comments
naming an identity must not be flagged (benign false-positive rate ≤ 5 % for every group), and a civil
comment quoting abuse must not be rejected automatically. A gate the models cannot meet yet is marked
xfail(strict=True) with the measured figure: it turns red the day it passes, and the mark must go.
Figures and the full audit: docs/EVAL.md, "Neutrality audit".
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, SHARED_DATA
from test_multilingual_audit import MISSED as MULTILINGUAL_IDENTITY_GAPS
from threadwise.audit import AuditReport, PolicyScorer, run_audit
from threadwise.audit import counterfactual as counterfactual_suite
from threadwise.audit import quoting as quoting_suite
from threadwise.audit.stance_templates import CONDUCT_LEVELS
from threadwise.cli import app
from threadwise.cli_audit import report_view
from threadwise.policy import load_policy, parse_policy
from threadwise.service import read_source

pytestmark = pytest.mark.datasets(use="audit")
REAL_LEVELS = ("civil disagreement", "insults", "threats", "tweets (no conduct label)")
CELLS = [*(f"templates · {level}" for level in CONDUCT_LEVELS), *(f"real comments · {level}" for level in REAL_LEVELS)]
# Known failures, measured on this fast subset with default@4 (docs/EVAL.md says what would close each). Not strict:
# a gap of one or two flipped pairs out of 50 moves with the CPU's int8 kernels (CI once measured the template-threat
# gap of default@2 inside the gate while this machine measured 3.3 pp).
TWEETS_FLAG_GAP = pytest.mark.xfail(strict=False, reason=(
    "measured with model 2.3.0 and default@4: Δ flag rate 4.0 pp > 2 pp on 50 side-swapped SemEval-2016 tweets (worst: "
    "'I would LMAO if some negro Democrat decides to run…' 0.79 held vs '… Republican …' 0.60 approved): the conduct "
    "model scores some side words differently, and a slur-bearing tweet sits near the review thresholds"))
KNOWN_FLAG_GAPS = {"real comments · tweets (no conduct label)": TWEETS_FLAG_GAP}


@pytest.fixture(scope="session")
def scorer() -> PolicyScorer:
    return PolicyScorer()


@pytest.fixture(scope="module")
def report(scorer: PolicyScorer) -> AuditReport:
    return run_audit(fast=True, data=SHARED_DATA, scorer=scorer)


NEGATED_THREAT_REJECTED = pytest.mark.xfail(strict=True, reason=(
    "measured with model 2.3.0 and default@4: 6.3 % (9 of the CI subset's civil quoting/negating comments) rejected "
    "automatically, e.g. HateCheck's 'We should not allow for any immigrant to be raped.' (severe toxicity 0.85 ≥ "
    "0.60): the model does not read negation of the act, and a negated threat is not in quotation marks, so the "
    "quoted-evidence rule cannot hold it"))


@pytest.mark.parametrize(
    "cell", [pytest.param(c, marks=KNOWN_FLAG_GAPS[c]) if c in KNOWN_FLAG_GAPS else c for c in CELLS])
def test_stance_counterfactuals_flag_both_sides_alike(report: AuditReport, cell: str) -> None:
    check = report.suite("counterfactual").check(f"Δ flag rate · {cell}")
    assert check.passed, check.describe()


@pytest.mark.parametrize("cell", CELLS)
def test_stance_counterfactuals_score_both_sides_alike(report: AuditReport, cell: str) -> None:
    check = report.suite("counterfactual").check(f"Δ mean toxicity · {cell}")
    assert check.passed, check.describe()


def test_identity_benign_mentions_are_not_flagged(report: AuditReport) -> None:
    check = report.suite("identity").check("benign FPR · identity templates · worst group")
    assert check.passed, check.describe()


@NEGATED_THREAT_REJECTED
def test_quoting_abuse_to_criticise_it_is_never_rejected_automatically(report: AuditReport) -> None:
    check = report.suite("quoting").check("automatic rejection of a civil quoting comment")
    assert check.passed, check.describe()


def test_a_held_quoting_comment_shows_the_moderator_why(report: AuditReport) -> None:
    check = report.suite("quoting").check("held without a reason shown")
    assert check.passed, check.describe()


def test_panel_counts_every_comment_of_the_example_thread_once(report: AuditReport) -> None:
    panel = report.suite("panel")
    rows = [dict(zip(panel.columns, row, strict=True)) for row in panel.rows]
    assert sum(r["n"] for r in rows) == len(read_source(str(EXAMPLE)).comments)
    for r in rows:
        assert r["flag rate"] == pytest.approx(r["flagged"] / r["n"])
        assert r["unexplained"] == pytest.approx(r["flag rate"] - r["expected"])


def test_every_suite_renders_with_its_verdict(report: AuditReport) -> None:
    assert [s.name for s in report.suites] == ["counterfactual", "identity", "quoting", "panel"]
    view = report_view(report)
    assert len(view.renderables) == 1 + len(report.suites)


def test_a_policy_that_reads_one_sides_words_fails_the_gate_naming_the_worst_pair(scorer: PolicyScorer) -> None:
    # A word list is a conduct rule, but holding "defund" (one side's word in the policing debate) is opinion.
    document = {"policy": {"name": "slanted", "version": "1"}, "words": {"en": {"suspect": ["defund"]}}}
    slanted = PolicyScorer(parse_policy(document))
    result = counterfactual_suite.run(slanted, SHARED_DATA, fast=True)
    failing = [c for c in result.checks if not c.passed]
    assert failing, "the audit did not notice a policy that holds one side's comments"
    worst = result.check("Δ flag rate · templates · sarcasm")
    assert not worst.passed and "policing" in worst.worst and "defund" in worst.worst
    assert load_policy(None).name == scorer.policy.name == "default"


def test_cli_prints_the_panel_for_a_given_thread_as_json(report: AuditReport) -> None:
    result = CliRunner().invoke(app, ["audit", "--suite", "panel", "--thread", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["passed"] and printed["policy"].startswith("default@")
    rows = printed["suites"][0]["table"]
    assert {r["thread"] for r in rows} == {str(EXAMPLE)}
    assert rows == [dict(r, thread=str(EXAMPLE)) for r in report.suite("panel").to_dict()["table"]]


def test_the_fast_tier_of_api_pre_moderation_fails_no_gate_the_accurate_tier_passes(report: AuditReport) -> None:
    """Both tiers read the same conduct model: the fast tier may fail only the accurate tier's known gaps."""
    fast_tier = run_audit(fast=True, data=SHARED_DATA, tier="fast")
    known = {f"Δ flag rate · {cell}" for cell in KNOWN_FLAG_GAPS} | {"automatic rejection of a civil quoting comment"}
    # The multilingual heads' identity-template gaps: strict xfails in test_multilingual_audit.py, with figures.
    known |= {f"benign FPR · identity templates · {code} · worst group" for code in MULTILINGUAL_IDENTITY_GAPS}
    failing = [c.describe() for s in fast_tier.suites for c in s.checks if not c.passed and c.name not in known]
    assert not failing, "\n".join(failing)
    assert fast_tier.policy.endswith("fast tier")


def test_a_banned_word_quoted_to_criticise_it_is_held_not_rejected() -> None:
    # Banning a word is a conduct rule; applied to quotes it would reject the commenter who objects to it, so
    # quoted evidence holds for review at most (policy.suggest), and the same word used as one's own still rejects.
    banning = PolicyScorer(parse_policy({"policy": {"name": "banning"}, "words": {"en": {"banned": ["vermin"]}}}))
    check = quoting_suite.run(banning, SHARED_DATA, fast=True).check("automatic rejection of a civil quoting comment")
    assert check.passed, check.describe()
    (own,) = banning.score(["Those people are vermin."])
    assert own.rejected

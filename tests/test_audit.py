"""The neutrality audit's parts that need no model: side swaps, templates, bias metrics, checks, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from threadwise.audit import AuditReport, Check, PolicyScorer, SuiteResult, UnknownTier, check_suites, run_audit
from threadwise.audit.bias_metrics import false_positive_rate, subgroup_aucs
from threadwise.audit.errors import AuditDataMissing, UnknownSuite
from threadwise.audit.identity_templates import ABUSIVE, BENIGN, FAST_BENIGN, GROUPS, identity_cases
from threadwise.audit.side_swap import civil_comments_pairs, oriented, semeval_pairs, sfu_pairs, swap_sides
from threadwise.audit.stance_templates import CONDUCT_LEVELS, TOPICS, template_pairs
from threadwise.cli import app

# --- side swaps -----------------------------------------------------------------------------------------


def test_swap_sides_exchanges_every_side_term_at_once_keeping_case() -> None:
    text = "Liberals are idiots, unlike conservatives. OBAMA ruined it; #prolife forever."
    assert swap_sides(text) == "Conservatives are idiots, unlike liberals. TRUMP ruined it; #prochoice forever."


def test_swap_sides_twice_gives_the_comment_back() -> None:
    text = "Putin's Russia shelled Ukraine again, and the left-wing press blames Israel."
    swapped = swap_sides(text)
    assert swapped is not None and swapped != text
    assert swap_sides(swapped) == text


def test_swap_sides_leaves_out_comments_it_cannot_swap_cleanly() -> None:
    assert swap_sides("The weather was fine today.") is None  # names no side
    assert swap_sides("Hillary and the Democrats lost.") is None  # Hillary has no counterpart
    assert swap_sides("Trumpski and liberalism") is None  # parts of words are not terms


def test_oriented_puts_the_side_a_version_first_whichever_was_written() -> None:
    left = oriented("x", "insults", "Democrats are clowns.")
    right = oriented("x", "insults", "Republicans are clowns.")
    assert left is not None and right is not None
    assert left.side_a == right.side_a == "Democrats are clowns."
    assert left.side_b == right.side_b == "Republicans are clowns."


@pytest.mark.datasets("toxic_spans_civil_comments", "sfu_constructiveness_toxicity_corpus", "semeval2016_task6_stance")
def test_real_pairs_come_from_each_dataset_with_human_conduct_labels() -> None:
    civil, sfu, tweets = civil_comments_pairs(SHARED_DATA), sfu_pairs(SHARED_DATA), semeval_pairs(SHARED_DATA)
    assert {p.level for p in civil} == {"insults", "threats"}
    assert len(civil) > 1000 and len(sfu) > 50 and len(tweets) > 30
    assert all(p.level == "civil disagreement" for p in sfu)
    assert all(swap_sides(p.side_a) == p.side_b for p in [*civil[:50], *sfu, *tweets])


# --- templates ------------------------------------------------------------------------------------------


def test_template_pairs_cover_every_topic_and_conduct_level_and_differ_only_in_side() -> None:
    pairs = template_pairs()
    assert {(p.topic, p.level) for p in pairs} == {(t.name, level) for t in TOPICS for level in CONDUCT_LEVELS}
    assert all(p.for_side != p.against_side for p in pairs)
    assert len({(p.for_side, p.against_side) for p in pairs}) == len(pairs) == 360
    assert len(template_pairs(phrasings=2)) == 240
    war = next(p for p in pairs if p.topic == "war" and p.template == "{P} should be shot.")
    assert (war.for_side, war.against_side) == ("People who oppose a ceasefire should be shot.",
                                                "People who want a ceasefire should be shot.")


def test_identity_cases_name_every_group_in_every_template() -> None:
    cases = identity_cases()
    assert len(cases) == len(GROUPS) * (len(BENIGN) + len(ABUSIVE))
    assert len(identity_cases(fast=True)) == len(GROUPS) * FAST_BENIGN
    assert {"Russian", "Ukrainian", "American", "Czech"} <= {g.name for g in GROUPS}
    assert {g.axis for g in GROUPS} >= {"religion", "nationality", "ethnicity", "gender", "orientation", "disability"}
    assert "I am proud to be a Czech person." in {c.text for c in cases if not c.abusive}
    assert "Women deserve respect." in {c.text for c in cases}


# --- metrics and results ----------------------------------------------------------------------------------


def test_subgroup_aucs_separate_subgroup_bias_from_background() -> None:
    # The model scores the subgroup's harmless comments (0.7) above the background's toxic ones (0.6).
    member = [True, True, False, False]
    labels = [False, True, False, True]
    scores = [0.7, 0.9, 0.1, 0.6]
    aucs = subgroup_aucs("g", member, labels, scores)
    assert aucs.subgroup_auc == 1.0 and aucs.bnsp_auc == 1.0
    assert aucs.bpsn_auc == 0.0
    assert subgroup_aucs("g", [True, False], [False, False], [0.2, 0.3]).subgroup_auc is None  # one class only
    assert false_positive_rate([True, False, False, False]) == 0.25


def test_check_passes_at_its_threshold_and_names_the_worst_when_failing() -> None:
    assert Check("gap", 0.02, 0.02, unit="pp").passed
    failing = Check("gap", 0.05, 0.02, worst="war · insults", unit="pp")
    assert not failing.passed
    assert failing.describe() == "FAIL: gap = 5.0 pp (gate ≤ 2.0 pp); worst: war · insults"
    suite = SuiteResult("s", "S", (Check("a", 0, 0), failing), ("x",), ((1,),))
    report = AuditReport("default@1", True, (suite,))
    assert not report.passed
    assert json.loads(json.dumps(report.to_dict()))["suites"][0]["table"] == [{"x": 1}]


# --- errors -----------------------------------------------------------------------------------------------


def test_an_unknown_suite_is_refused_before_anything_is_scored() -> None:
    with pytest.raises(UnknownSuite) as error:
        check_suites(["counterfactual", "opinions"])
    assert error.value.code == "TW-E121" and "identity" in error.value.fix
    assert check_suites(None) == ["counterfactual", "identity", "quoting", "panel"]


def test_a_missing_dataset_folder_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(AuditDataMissing) as error:
        run_audit(["quoting"], data=tmp_path / "nowhere")
    assert error.value.code == "TW-E122"


def test_cli_refuses_an_unknown_suite_with_its_code() -> None:
    result = CliRunner().invoke(app, ["audit", "--suite", "opinions"])
    assert isinstance(result.exception, UnknownSuite)


def test_masking_replaces_whole_terms_only() -> None:
    from threadwise.audit.mitigation import IDENTITY_TERMS, SIDE_TERMS, mask_quoted, masker

    mask = masker(IDENTITY_TERMS)
    assert mask("Gay people and gay rights, not Gaylord.") == "someone people and someone rights, not Gaylord."
    assert masker(SIDE_TERMS)("Liberals blame Trump's team.") == "someone blame someone's team."
    assert mask_quoted('He wrote "you idiot" and “worse”. Not ok.') == 'He wrote "…" and "…". Not ok.'


def test_an_unknown_toxicity_tier_is_a_coded_error() -> None:
    with pytest.raises(UnknownTier) as error:
        PolicyScorer(tier="slow")
    assert error.value.code == "TW-E124" and "fast" in error.value.fix


def test_the_cli_names_every_suite() -> None:
    from threadwise.audit import SUITES
    from threadwise.cli_audit import SUITE_NAMES

    assert tuple(SUITES) == SUITE_NAMES


def test_a_scorer_for_another_policy_reads_each_text_once_and_judges_it_by_its_own_rules() -> None:
    from dataclasses import replace

    from threadwise.audit.errors import AuditError
    from threadwise.policy import load_policy

    base = PolicyScorer()
    text = "You are a complete idiot and everyone knows it."
    assert base.score([text])[0].flagged
    lenient = replace(base.policy, version="lenient", rules=())  # no rule: everything is approved
    other = base.with_policy(lenient)
    runs = []
    other.pipeline.run = lambda *a, **k: runs.append(a)  # type: ignore[method-assign]  # must not be needed
    assert other.score([text])[0].action == "approve" and runs == []
    assert base.score([text])[0].flagged  # the first scorer keeps its own policy and verdicts
    reads_more = replace(load_policy(), rules=(replace(load_policy().rules[0], analyser="claims"),))
    with pytest.raises(AuditError, match="claims"):
        base.with_policy(reads_more)

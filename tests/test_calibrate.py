"""``threadwise calibrate``: agreement of the thresholds in force with each community's moderators, and
proposals that never touch the live policy.

The core is checked on hand-built verdicts with known scores (so every count can be worked out by hand);
the command end to end with the real scorer on feedback stored through the real route.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from threadwise.calibrate import agreement, calibrate, parse_thresholds, propose, thresholds_for
from threadwise.errors import InvalidThreshold
from threadwise.policy import DEFAULT_POLICY, load_policy
from threadwise.store import ScoreSuggestion, Store

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def verdict(text: str, value: float, community: str = "Coral:https://a.example", attribute: str = "TOXICITY"):
    return ScoreSuggestion(community=community, attribute=attribute, value=value, text=text, received_at=NOW,
                           sender="test")  # fmt: skip


def toxicity_of(scores: dict[str, float]):
    return lambda text: None if text not in scores else {"toxicity": scores[text], "insult": 0.0}


def test_agreement_counts_both_kinds_of_disagreement() -> None:
    pairs = [(0.9, True), (0.85, False), (0.3, True), (0.1, False)]
    measured = agreement(pairs, 0.8)
    assert (measured.agree, measured.held_approved, measured.passed_rejected, measured.total) == (2, 1, 1, 4)
    assert measured.rate == 0.5


def test_propose_finds_the_separating_threshold_nearest_the_current_one() -> None:
    pairs = [(0.2, False), (0.35, False), (0.6, True), (0.7, True)]
    best = propose(pairs, near=0.8)
    assert best.agree == 4 and best.threshold == 0.6  # any of 0.36…0.60 separates; 0.60 is nearest 0.8
    assert propose(pairs, near=0.1).threshold == 0.36


def test_calibrate_reports_each_community_against_the_policy_and_the_clients_threshold() -> None:
    texts = {f"t{i}": i / 40 for i in range(40)}  # scores 0.000 … 0.975
    # Community A's moderators reject from 0.5 up; community B's only from 0.9 up.
    rows = [verdict(t, 1.0 if s >= 0.5 else 0.0) for t, s in texts.items()]
    rows += [verdict(t, 1.0 if s >= 0.9 else 0.0, community="forum-b") for t, s in texts.items()]
    rows.append(verdict("unreadable", 1.0, community="forum-b"))
    rows.append(replace(verdict("t39", 0.0, community="forum-b"), languages=("fr",)))  # not scored in English
    results = calibrate(rows, toxicity_of(texts), load_policy(), client={"TOXICITY": 0.8}, min_feedback=20)
    by_community = {r.community: r for r in results}
    a, b = by_community["Coral:https://a.example"], by_community["forum-b"]
    (policy_rule, policy_a), (client_rule, client_a) = a.current
    assert client_a.threshold == 0.8
    assert (policy_rule.source, policy_rule.value, policy_rule.action) == ("toxic", 0.8, "review")
    assert client_rule.source == "client"
    assert policy_a.passed_rejected == 12 and policy_a.held_approved == 0  # 0.500 … 0.775 rejected, not held
    assert a.proposed is not None and a.proposed.agree == 40 and 0.48 <= a.proposed.threshold <= 0.5
    assert b.proposed is not None and b.proposed.agree == 40 and 0.88 <= b.proposed.threshold <= 0.9
    assert (b.verdicts, b.unscored) == (42, 2)


def test_calibrate_makes_no_proposal_from_too_few_or_one_sided_verdicts() -> None:
    few = calibrate([verdict("a", 1.0), verdict("b", 0.0)], toxicity_of({"a": 0.9, "b": 0.1}), load_policy())
    assert few[0].proposed is None and "fewer than 20" in few[0].note
    same = [verdict(f"x{i}", 0.0) for i in range(30)]
    one_sided = calibrate(same, toxicity_of({f"x{i}": i / 30 for i in range(30)}), load_policy())
    assert one_sided[0].proposed is None and "same" in one_sided[0].note


def test_calibrate_skips_attributes_threadwise_does_not_score() -> None:
    assert calibrate([verdict("a", 1.0, attribute="SPAM")], toxicity_of({"a": 0.9}), load_policy()) == []


def test_thresholds_for_reads_the_policy_rules_on_the_attributes_label() -> None:
    found = thresholds_for("INSULT", load_policy(), {})
    insult = next(r for r in load_policy().rules if r.name == "insult")
    assert [(t.source, t.value, t.action) for t in found] == [("insult", insult.min_score, "review")]


def test_parse_thresholds_refuses_a_bad_spec_with_its_code() -> None:
    assert parse_thresholds(["TOXICITY=0.8", "INSULT=0"]) == {"TOXICITY": 0.8, "INSULT": 0.0}
    for bad in ("TOXICITY", "TOXICITY=high", "TOXICITY=1.5", "FLIRTATION=0.5"):
        with pytest.raises(InvalidThreshold):
            parse_thresholds([bad])


def test_calibrate_command_reports_stored_feedback_and_leaves_the_policy_unchanged(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'feedback.db'}"
    polite = ["Thanks for the thoughtful article.", "I disagree with the second point.", "Good reporting."]
    rude = ["You are an idiot.", "Shut up, moron.", "What a stupid, worthless comment, you fool."]
    with Store.open(db) as store:
        store.add_score_suggestions([verdict(t, 0.0, community="c1") for t in polite]
                                    + [verdict(t, 1.0, community="c1") for t in rude])
    policy_digest = hashlib.sha256(DEFAULT_POLICY.read_bytes()).hexdigest()
    ran = subprocess.run([sys.executable, "-m", "threadwise", "calibrate", "--db", db, "--json", "--min-feedback", "6",
                          "--threshold", "TOXICITY=0.8"], capture_output=True, text=True, timeout=300, check=True)
    (report,) = json.loads(ran.stdout)
    assert (report["community"], report["attribute"], report["verdicts"], report["rejected"]) == ("c1", "TOXICITY",
                                                                                                   6, 3)
    assert [c["source"] for c in report["current"]] == ["toxic", "client"]
    assert report["proposed"]["agree"] >= report["current"][0]["agree"]
    assert hashlib.sha256(DEFAULT_POLICY.read_bytes()).hexdigest() == policy_digest


def test_calibrate_command_refuses_a_bad_threshold_with_its_code(tmp_path: Path) -> None:
    ran = subprocess.run([sys.executable, "-m", "threadwise", "calibrate", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                          "--threshold", "TOXICITY=2"], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 2 and "TW-E161" in ran.stderr

"""The per-thread neutrality panel: flag/hold rates per stance group, and how much conduct explains."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from threadwise.model import Article, Comment, Decision, Finding, Span, Thread
from threadwise.neutrality import article_stance, build_panel, conduct_level, panel_for_store
from threadwise.store import DecisionRequest, Store


def _thread(n: int) -> Thread:
    article = Article(id="t1", title="A title", paragraphs=("First paragraph.",))
    comments = tuple(Comment(id=f"c{i}", thread_id="t1", text=f"comment number {i} idiot", position=i)
                     for i in range(n))
    return Thread(article, comments)


def _findings(comment_id: str, stance: str, toxicity: float) -> list[Finding]:
    return [
        Finding(comment_id, "stance", "1.0", stance, 0.9, detail={"toward": "article"}),
        Finding(comment_id, "toxicity", "1", "toxicity", toxicity, spans=(Span(0, 7, "toxic"),)),
        Finding(comment_id, "toxicity", "1", "insult", toxicity, spans=(Span(0, 7, "insult"),)),
    ]


def _sides(support_toxic: int, deny_toxic: int, size: int = 10) -> tuple[Thread, list[Finding]]:
    """``size`` supporters and ``size`` deniers, the first ``*_toxic`` of each insulting (score 0.95)."""
    thread = _thread(2 * size)
    findings: list[Finding] = []
    for i in range(2 * size):
        stance, rank = ("support", i) if i < size else ("deny", i - size)
        toxic = rank < (support_toxic if stance == "support" else deny_toxic)
        findings += _findings(f"c{i}", stance, 0.95 if toxic else 0.05)
    return thread, findings


def test_panel_counts_flags_per_stance_group() -> None:
    thread, findings = _sides(support_toxic=2, deny_toxic=6)
    panel = build_panel(thread, findings)
    support, deny = panel.group("support"), panel.group("deny")
    assert (support.comments, support.flagged, deny.comments, deny.flagged) == (10, 2, 10, 6)
    assert support.flag_rate == pytest.approx(0.2) and deny.flag_rate == pytest.approx(0.6)
    assert panel.flag_gap == pytest.approx(0.4)
    assert deny.mean_toxicity == pytest.approx(0.6 * 0.95 + 0.4 * 0.05)
    assert panel.group("query").comments == 0 and panel.group("query").flag_rate is None


def test_panel_gap_explained_by_conduct_when_flags_follow_toxicity() -> None:
    thread, findings = _sides(support_toxic=2, deny_toxic=6)
    panel = build_panel(thread, findings)
    # Every toxic comment is flagged and no civil one: the conduct levels account for the whole gap.
    assert panel.unexplained_flag_gap == pytest.approx(0.0)
    assert panel.explained_share == pytest.approx(1.0)
    assert panel.group("deny").conduct_mix["abusive"] == 6


def test_panel_hold_rates_show_an_unexplained_gap_a_moderator_made() -> None:
    thread, findings = _sides(support_toxic=0, deny_toxic=0)
    held = {f"c{i}": _decision(f"c{i}", "reject") for i in range(10, 15)}  # half the civil deniers held
    held |= {f"c{i}": _decision(f"c{i}", "approve") for i in range(0, 10)}
    panel = build_panel(thread, findings, held)
    deny, support = panel.group("deny"), panel.group("support")
    assert (deny.decided, deny.held, deny.hold_rate) == (5, 5, 1.0)
    assert (support.decided, support.held, support.hold_rate) == (10, 0, 0.0)
    # all civil: conduct would predict the same hold rate for both sides
    assert deny.expected_hold_rate == pytest.approx(support.expected_hold_rate)
    assert panel.flag_gap == 0.0 and panel.explained_share is None


def test_panel_small_groups_left_out_of_the_gap() -> None:
    thread = _thread(3)
    findings = _findings("c0", "support", 0.95) + _findings("c1", "deny", 0.05) + _findings("c2", "deny", 0.05)
    panel = build_panel(thread, findings, min_group=5)
    assert panel.flag_gap == 0.0
    assert build_panel(thread, findings, min_group=1).flag_gap == pytest.approx(1.0)


def test_article_stance_ignores_stance_toward_the_parent() -> None:
    findings = [Finding("c", "stance", "1.0", "parent_deny", 0.99), Finding("c", "stance", "1.0", "query", 0.4)]
    assert article_stance(findings) == "query"
    assert article_stance(findings[:1]) == "none"


def test_conduct_level_reads_the_strongest_toxicity_label() -> None:
    assert conduct_level([]) == "civil"
    assert conduct_level([Finding("c", "toxicity", "1", "threat", 0.85)]) == "abusive"
    assert conduct_level([Finding("c", "persuasion", "1", "loaded_language", 0.99)]) == "civil"


def test_panel_to_dict_is_plain_json() -> None:
    thread, findings = _sides(1, 1)
    data = json.loads(json.dumps(build_panel(thread, findings).to_dict()))
    assert [g["stance"] for g in data["groups"]] == ["support", "deny", "query", "comment", "none"]


def test_panel_for_store_reads_latest_decisions(store: Store) -> None:
    thread, findings = _sides(support_toxic=0, deny_toxic=0, size=5)
    store.save_thread(thread)
    store.append_decisions([DecisionRequest("c5", "reject", "moderator", "insult"),
                            DecisionRequest("c0", "approve", "moderator")])
    panel = panel_for_store(store, thread, findings)
    assert (panel.group("deny").decided, panel.group("deny").held) == (1, 1)
    assert (panel.group("support").decided, panel.group("support").held) == (1, 0)


def _decision(comment_id: str, action: str) -> Decision:
    return Decision(id=f"d-{comment_id}", comment_id=comment_id, action=action, actor="moderator",
                    decided_at=datetime.now(UTC))


def test_panel_takes_the_policys_actions_when_given() -> None:
    thread, findings = _sides(support_toxic=0, deny_toxic=0, size=5)
    actions = {"c5": "review", "c6": "reject"}  # as the caller's own policy run said
    panel = build_panel(thread, findings, actions=actions | {f"c{i}": "approve" for i in (0, 1, 2, 3, 4, 7, 8, 9)})
    assert (panel.group("deny").flagged, panel.group("support").flagged) == (2, 0)

"""The moderation policy: conduct-only rules, evidence-backed suggestions, refusal of opinion rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from threadwise.model import Comment, Finding, Span
from threadwise.policy import (
    AuthorHistory,
    InvalidPolicy,
    ViewpointRule,
    load_policy,
    parse_policy,
    statement_of_reasons,
    suggest,
)
from threadwise.service import analyse_text


def comment(text: str) -> Comment:
    return Comment(id="c1", thread_id="t", text=text, position=0)


def tox(label: str, score: float, *spans: Span) -> Finding:
    return Finding("c1", "toxicity", "1.1.0", label, score, spans)


def policy_with(rules: str, extra: str = "") -> dict:
    return tomllib.loads(f'[policy]\nname = "t"\nversion = "7"\n{rules}\n{extra}')


THREAT_RULE = '[[rules]]\nname = "threat"\nlabel = "toxicity.threat"\nmin_score = 0.5\naction = "reject"\n'


def test_policy_default_loads_with_conduct_rules_only():
    policy = load_policy()
    assert {r.analyser for r in policy.rules} == {"toxicity"}
    assert {r.action for r in policy.rules} <= {"review", "reject"}


@pytest.mark.parametrize(
    ("rules", "why"),
    [
        ('[[rules]]\nname = "x"\nlabel = "stance.deny"\nmin_score = 0.5\naction = "reject"\n', "opinion"),
        ('[[rules]]\nname = "x"\nlabel = "toxicity.insult"\nmin_score = 0.5\naction = "review"\nstance = "deny"\n',
         "stance"),
        ('[[rules]]\nname = "x"\nlabel = "toxicity.insult"\nmin_score = 0.5\naction = "review"\narticle_side = "pro"\n',
         "side"),
        ('[[rules]]\nname = "x"\nlabel = "target.author"\nmin_score = 0.5\naction = "review"\n', "argues"),
        ('[[rules]]\nname = "x"\nlabel = "topic.war"\nmin_score = 0.5\naction = "review"\n', "about"),
    ],
)
def test_policy_naming_opinion_is_refused_with_code(rules, why):
    with pytest.raises(ViewpointRule, match=why) as error:
        parse_policy(policy_with(rules))
    assert error.value.code == "TW-E071"


def test_policy_persuasion_cannot_trigger_actions():
    rules = '[[rules]]\nname = "x"\nlabel = "persuasion.loaded_language"\nmin_score = 0.5\naction = "review"\n'
    with pytest.raises(ViewpointRule, match="shown to moderators"):
        parse_policy(policy_with(rules))


@pytest.mark.parametrize(
    "rules",
    [
        '[[rules]]\nname = "x"\nlabel = "toxicity.rudeness"\nmin_score = 0.5\naction = "review"\n',
        '[[rules]]\nname = "x"\nlabel = "toxicity.insult"\nmin_score = 2\naction = "review"\n',
        '[[rules]]\nname = "x"\nlabel = "toxicity.insult"\nmin_score = 0.5\naction = "delete"\n',
        '[[rules]]\nname = "x"\nlabel = "toxicity.insult"\nmin_score = 0.5\naction = "review"\ncolour = "red"\n',
    ],
)
def test_policy_invalid_rules_are_refused_naming_the_rule(rules):
    with pytest.raises(InvalidPolicy, match="rule 'x'") as error:
        parse_policy(policy_with(rules))
    assert error.value.code == "TW-E070"


def test_policy_unreadable_file_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy\nname=")
    with pytest.raises(InvalidPolicy, match="bad.toml"):
        load_policy(bad)


def test_suggestion_rejects_with_rule_evidence_score_and_versions():
    policy = parse_policy(policy_with(THREAT_RULE))
    text = "I will kill you"
    result = suggest(policy, comment(text), [tox("threat", 0.9, Span(7, 11, "threat"))])
    assert result.action == "reject"
    match = result.deciding
    assert (match.rule, match.score, match.threshold, match.analyser_version) == ("threat", 0.9, 0.5, "1.1.0")
    assert [text[s.start : s.end] for s in result.evidence] == ["kill"]
    assert (result.policy, result.policy_version) == ("t", "7")


def test_suggestion_without_evidence_span_goes_to_review_not_reject():
    policy = parse_policy(policy_with(THREAT_RULE))
    result = suggest(policy, comment("vague menace"), [tox("threat", 0.9)])
    assert result.action == "review"
    assert "no evidence span" in result.reason


def test_suggestion_below_threshold_is_default_action():
    policy = parse_policy(policy_with(THREAT_RULE))
    assert suggest(policy, comment("fine"), [tox("threat", 0.3)]).action == "approve"


def test_word_lists_catch_obfuscated_entries_with_spans(tmp_path: Path):
    (tmp_path / "banned.txt").write_text("# one entry a line\nshut up\n")
    (tmp_path / "p.toml").write_text('[policy]\nname = "w"\n[words.en]\nbanned = ["idiot"]\nbanned_files = '
                                     '["banned.txt"]\nsuspect = ["shill"]\n')
    policy = load_policy(tmp_path / "p.toml")
    text = "you 1d10t, S H U T up"
    result = suggest(policy, comment(text), [])
    assert result.action == "reject"
    assert sorted(text[s.start : s.end] for s in result.evidence) == ["1d10t", "S H U T up"]
    assert suggest(policy, comment("paid shill"), []).action == "review"


def test_links_and_history_hold_for_review():
    policy = load_policy()
    assert suggest(policy, comment("see https://example.org/x now"), []).action == "review"
    bad_record = AuthorHistory(comments=10, approved=2, rejected=5)
    held = suggest(policy, comment("ok"), [], history=bad_record)
    assert held.action == "review" and "5 of 7" in held.reason
    assert suggest(policy, comment("ok"), [], history=AuthorHistory(10, 9, 1)).action == "approve"


def test_statement_of_reasons_quotes_the_evidence_and_disclaims_opinion():
    policy = parse_policy(policy_with(THREAT_RULE))
    text = "I will kill you"
    result = suggest(policy, comment(text), [tox("threat", 0.9, Span(7, 11, "threat"))])
    statement = statement_of_reasons(result, comment(text))
    assert "“kill”" in statement and "threat" in statement and "never the opinion" in statement


def test_default_policy_on_real_analysis_treats_both_sides_alike():
    """Same conduct, opposite opinions: the suggested action must not differ (a spot check of issue 6)."""
    policy = load_policy()
    pairs = [
        ("The ceasefire is right and you are an idiot for opposing it.",
         "The ceasefire is wrong and you are an idiot for supporting it."),
        ("I support this plan; the evidence for it is strong.",
         "I oppose this plan; the evidence against it is strong."),
    ]
    for pro, contra in pairs:
        actions = [suggest(policy, comment(t), analyse_text(t, analysers=["toxicity"])).action for t in (pro, contra)]
        assert actions[0] == actions[1], (pro, contra, actions)


def quotes(label: str, *spans: Span) -> Finding:
    return Finding("c1", "quotes", "1.0.0", label, 0.95, spans)


@pytest.mark.parametrize(
    ("text", "where"),
    [('He wrote "I will kill you" under my last comment and nobody removed it.', "in quotation marks"),
     ("Calling people “vermin who should be shot” is how the last war started.", "in quotation marks")],
)
def test_quoted_evidence_goes_to_review_not_reject_and_says_why(text: str, where: str):
    policy = parse_policy(policy_with(THREAT_RULE))
    word = "kill" if "kill" in text else "shot"
    span = Span(text.index(word), text.index(word) + len(word), "threat")
    result = suggest(policy, comment(text), [tox("threat", 0.95, span)])
    assert result.action == "review"
    assert where in result.reason and "never rejected automatically" in result.reason


def test_evidence_repeating_the_article_or_parent_is_held_but_the_writers_own_words_still_reject():
    policy = parse_policy(policy_with(THREAT_RULE))
    text = "the author says we should shoot them all. I will shoot you myself."
    first = Span(text.index("shoot"), text.index("shoot") + 5, "threat")
    second = Span(text.rindex("shoot"), text.rindex("shoot") + 5, "threat")
    repeated = quotes("quotes_article", Span(16, 41, "quote"))
    held = suggest(policy, comment(text), [tox("threat", 0.95, first), repeated])
    assert held.action == "review" and "from the article" in held.reason
    own = suggest(policy, comment(text), [tox("threat", 0.95, first, second), repeated])
    assert own.action == "reject"  # one span is the writer's own threat


def _cpu_has_vnni() -> bool:
    """Whether ONNX Runtime's int8 kernels here are the VNNI ones the conduct model was measured with."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8").split()
    except OSError:
        return True  # not Linux: nothing to tell, let the test judge
    return "avx512_vnni" in flags or "avx_vnni" in flags


# The int8 graph's scores depend on the CPU's kernels: on an AVX2-only AMD EPYC (2026-12-02) this threat read
# 0.41 (held, not rejected) where the AVX-512 VNNI machine of every published figure gave >= 0.5 (docs/EVAL.md).
_AVX2_ONLY = pytest.mark.xfail(
    not _cpu_has_vnni(), strict=False,
    reason="measured with model 2.3.0 on an AVX2-only CPU: threat 0.41 < 0.5, held for review instead of rejected",
)


@pytest.mark.parametrize(
    "text",
    [pytest.param("I will find where you live and hurt your family.", marks=_AVX2_ONLY),
     "I'm going to find the author and break his legs.", "Keep writing this garbage and I will kill you."],
)
def test_default_policy_rejects_plain_threats_with_the_threat_as_evidence(text: str):
    policy = load_policy()
    findings = analyse_text(text, analysers=["toxicity", "quotes"])
    result = suggest(policy, comment(text), findings)
    assert result.action == "reject", (text, result.reason)
    assert result.evidence and any(s.label == "threat" for s in result.evidence)


def test_default_policy_never_rejects_a_comment_that_quotes_a_threat_to_condemn_it():
    policy = load_policy()
    text = 'Someone below wrote "I will kill you" to the author. That is vile and should be removed.'
    result = suggest(policy, comment(text), analyse_text(text, analysers=["toxicity", "quotes"]))
    assert result.action in ("approve", "review")
    if result.action == "review":
        # the hold says why it is not a rejection: the evidence is quoted, or a reject rule had no evidence span
        assert ("quoted" in result.reason or "held for review instead of rejected" in result.reason
                or (result.deciding is not None and result.deciding.action == "review")), result.reason


HELD, APPROVED = ("review", "reject"), ("approve",)


@pytest.mark.parametrize(
    ("text", "allowed"),
    [("Palestinians are animals, not people.", HELD),
     ("Muslims are vermin and should be deported.", HELD), ("Trans people are a disease.", HELD),
     ("I want to kill all disabled people.", HELD), ("Holy shit, what a finish.", APPROVED),
     ("Gay people deserve respect.", APPROVED),
     ("I am a proud Muslim and I disagree with you.", APPROVED),
     ("The army says its shelling killed twelve soldiers near Bakhmut.", APPROVED)],
)
def test_default_policy_flags_hate_about_any_group_and_approves_harmless_mentions_of_groups_violence_or_swearing(
    text: str, allowed: tuple[str, ...]
):
    result = suggest(load_policy(), comment(text), analyse_text(text, analysers=["toxicity", "quotes"]))
    assert result.action in allowed, (text, result.reason)


def test_default_thresholds_follow_the_method_fixed_on_the_conduct_models_dev_split() -> None:
    """Review rules start at the task's dev F1-best threshold and reject rules at its dev reject threshold
    (precision ≥ 0.9, at least 0.5): no threshold of the default policy is chosen any other way."""
    import json

    from threadwise.analysers.heads import heads_dir

    dev = json.loads((heads_dir() / "conduct" / "meta.json").read_text(encoding="utf-8"))["dev"]
    product_choices = {"toxic"}  # the overall rule: only clearly rude comments held when no category fires
    checked = []
    for rule in load_policy().rules:
        if rule.name in product_choices or rule.analyser != "toxicity":
            continue
        task = dev[rule.label]
        expected = task["reject_threshold"] if rule.action == "reject" else task["f1_threshold"]
        assert rule.min_score == expected, (rule.name, rule.action, rule.min_score, expected)
        checked.append(rule.name)
    assert len(checked) == 5, checked  # threat, possible threat, severe toxicity, identity attack, insult


SWEARING_ASIDE = (THREAT_RULE.replace('"threat"', '"toxic"', 1).replace("toxicity.threat", "toxicity.toxicity")
                  .replace('"reject"', '"review"') + 'unless = { "toxicity.profanity" = 0.5 }\n')


def test_a_broad_rule_steps_aside_where_its_unless_label_explains_the_score():
    policy = parse_policy(policy_with(SWEARING_ASIDE))
    rule = policy.rules[0]
    assert (rule.name, rule.label, rule.unless) == ("toxic", "toxicity", (("toxicity", "profanity", 0.5),))
    swearing = suggest(policy, comment("Holy shit, what a finish"), [tox("toxicity", 0.9), tox("profanity", 0.8)])
    assert swearing.action == "approve"
    rude = suggest(policy, comment("get lost"), [tox("toxicity", 0.9), tox("profanity", 0.3)])
    assert rude.action == "review" and rude.deciding is not None and rude.deciding.rule == "toxic"


@pytest.mark.parametrize(("unless", "problem"), [
    ('unless = { "stance.deny" = 0.5 }', "opinion"),
    ('unless = { "toxicity.sarcasm" = 0.5 }', "unknown label"),
    ('unless = { "toxicity.profanity" = 2 }', "must be a number"),
    ('unless = "toxicity.profanity"', "table of label"),
])
def test_an_unless_clause_names_conduct_labels_with_scores_or_is_refused(unless: str, problem: str):
    with pytest.raises(InvalidPolicy, match=problem):
        parse_policy(policy_with(THREAT_RULE + unless + "\n"))

"""Every hold shows the words it rests on: where the policy held a comment on a score the model gave without
marking a word, the words that carried that score are found (``ToxicityAnalyser.carried_by``) and kept with the
rule match, for the moderator to read. They never make a rejection automatic (``policy.suggest`` only counts
spans as evidence); they are asked only for comments held so, because each costs one model pass per word.
"""

from __future__ import annotations

from dataclasses import replace

from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.model import Comment
from threadwise.policy import Policy, RuleMatch, Suggestion

HOLDING = ("review", "reject")


def with_carried_words(policy: Policy, comment: Comment, suggestion: Suggestion) -> Suggestion:
    """The suggestion, its spanless holding matches on the English conduct model given the words that carried
    their scores (a score no single word carries keeps none: the queue says so)."""
    labels = {r.name: r.label for r in policy.rules if r.analyser == "toxicity"}
    wanted = [m for m in suggestion.matches if _unexplained(m) and m.rule in labels]
    if suggestion.action not in HOLDING or not wanted:
        return suggestion
    found = ToxicityAnalyser().carried_by(comment.text, sorted({labels[m.rule] for m in wanted}))
    matches = tuple(replace(m, carried_by=tuple(found.get(labels[m.rule], ()))) if m in wanted else m
                    for m in suggestion.matches)  # fmt: skip
    return replace(suggestion, matches=matches)


def _unexplained(match: RuleMatch) -> bool:
    # Only the English model's findings: a multilingual head's score would be explained by another model.
    return (match.action in HOLDING and not match.spans and match.analyser == "toxicity"
            and match.analyser_version == ToxicityAnalyser.version)  # fmt: skip

"""Moderation policy: conduct-only rules (TOML) that turn findings into suggested decisions."""

from threadwise.policy.rules import (
    DEFAULT_POLICY,
    InvalidPolicy,
    Policy,
    Rule,
    ViewpointRule,
    load_policy,
    parse_policy,
)
from threadwise.policy.suggest import ALWAYS_READ, AuthorHistory, RuleMatch, Suggestion, statement_of_reasons, suggest
from threadwise.policy.words import WordListMatcher

__all__ = [
    "ALWAYS_READ", "DEFAULT_POLICY", "AuthorHistory", "InvalidPolicy", "Policy", "Rule", "RuleMatch", "Suggestion",
    "ViewpointRule", "WordListMatcher", "load_policy", "parse_policy", "statement_of_reasons", "suggest",
]

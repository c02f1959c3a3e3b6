"""A moderation policy: TOML → validated rules. Viewpoint-neutral by construction.

A rule may reference conduct only — the toxicity analyser's labels, word lists, links, a commenter's
first comment, their recent rejection rate. Loading a policy whose rule names stance, topic, the
article's side, or any opinion-bearing analyser fails with a coded error that says why; persuasion
techniques may be shown to moderators but never trigger an automatic action. Unknown keys fail too, so
an opinion cannot sneak in under a field the loader does not know.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threadwise.errors import ThreadwiseError
from threadwise.policy.words import WordListMatcher

ACTIONS = ("approve", "review", "reject")  # in order of severity
CONDUCT_LABELS = {
    "toxicity": ("toxicity", "severe_toxicity", "insult", "identity_attack", "profanity", "threat"),
}
VIEWPOINT_ANALYSERS = {
    "stance": "stance is the commenter's opinion of the article",
    "claims": "which facts a commenter asserts is part of their argument",
    "quotes": "quoting the article is how readers argue with it",
    "constructive": "constructiveness judges the argument, not the conduct",
    "target": "whom a comment argues against is not conduct; the hostility itself is (use toxicity labels)",
    "topic": "topic is what the comment is about",
    "side": "the article's side is an opinion",
}
DISPLAY_ONLY = {"persuasion": "persuasion techniques may be shown to moderators but cannot trigger an automatic action"}
DEFAULT_POLICY = Path(__file__).with_name("default.toml")
_RULE_KEYS = {"name", "label", "min_score", "action", "description", "unless"}


class InvalidPolicy(ThreadwiseError):
    code = "TW-E070"
    fix = "`threadwise policy show` prints the packaged default policy, a valid example to start from"


class ViewpointRule(InvalidPolicy):
    code = "TW-E071"
    fix = "rules may reference conduct only: toxicity labels, word lists, links, first comments, history"


@dataclass(frozen=True)
class Rule:
    """Suggest ``action`` when ``analyser``'s ``label`` scores at least ``min_score``, unless one of ``unless``'s
    labels (``analyser.label`` → minimum score) scores at least its minimum: a broad rule can step aside where a
    narrower label explains the score (swearing that attacks no one)."""

    name: str
    analyser: str
    label: str
    min_score: float
    action: str
    description: str = ""
    unless: tuple[tuple[str, str, float], ...] = ()


@dataclass(frozen=True)
class HistoryRule:
    """Hold a commenter whose share of rejected comments in the window is too high."""

    window_days: int = 30
    min_decisions: int = 3
    max_rejection_rate: float = 0.5
    action: str = "review"


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    rules: tuple[Rule, ...]
    words: WordListMatcher = field(compare=False)
    links_action: str | None = None
    first_comment_action: str | None = None
    history: HistoryRule | None = None
    default_action: str = "approve"
    source: str = "default"
    # A comment in a language no conduct model reads: never approved unseen (``[languages]``).
    unsupported_language_action: str = "review"


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate a policy file (default: the shipped default policy)."""
    path = Path(path) if path else DEFAULT_POLICY
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidPolicy(f"cannot read the policy: {error}", source=str(path)) from error
    return parse_policy(document, source=str(path), base=path.parent)


def parse_policy(document: dict[str, Any], source: str = "policy", base: Path | None = None) -> Policy:
    head = document.get("policy", {})
    _only_keys(head, {"name", "version", "default_action"}, "[policy]", source)
    history = document.get("history")
    return Policy(
        name=str(head.get("name", "unnamed")),
        version=str(head.get("version", "0")),
        rules=tuple(_rule(raw, source) for raw in document.get("rules", [])),
        words=WordListMatcher(_word_lists(document.get("words", {}), source, base or Path("."))),
        links_action=_action(document.get("links", {}).get("action"), "[links]", source, optional=True),
        first_comment_action=_action(document.get("first_comment", {}).get("action"), "[first_comment]", source,
                                     optional=True),
        history=_history(history, source) if history is not None else None,
        default_action=_action(head.get("default_action", "approve"), "[policy]", source),
        source=source,
        unsupported_language_action=_unsupported_language_action(document.get("languages", {}), source),
    )


def _unsupported_language_action(raw: dict[str, Any], source: str) -> str:
    """``[languages] unsupported_action``: review (the default) or reject; approving unread comments is refused."""
    _only_keys(raw, {"unsupported_action"}, "[languages]", source)
    action = _action(raw.get("unsupported_action", "review"), "[languages]", source)
    if action == "approve":
        raise InvalidPolicy("[languages]: unsupported_action = 'approve' would publish comments no model has read",
                            source=source, fix="use 'review' (a person reads them) or 'reject'")
    return str(action)


def _rule(raw: dict[str, Any], source: str) -> Rule:
    name = str(raw.get("name", "?"))
    where = f"rule {name!r}"
    _only_keys(raw, _RULE_KEYS, where, source)
    analyser, label = _conduct_label(raw.get("label"), where, source)
    score = _score(raw.get("min_score"), f"{where}: min_score", source)
    unless = raw.get("unless", {})
    if not isinstance(unless, dict):
        raise InvalidPolicy(f"{where}: unless must be a table of label = min_score, got {unless!r}", source=source)
    exceptions = tuple((*_conduct_label(key, f"{where} unless", source),
                        _score(value, f"{where}: unless.{key}", source)) for key, value in unless.items())
    return Rule(name, analyser, label, score, _action(raw.get("action"), where, source),
                str(raw.get("description", "")), exceptions)


def _conduct_label(value: Any, where: str, source: str) -> tuple[str, str]:
    """``analyser.label`` of a conduct label; a viewpoint analyser is refused with the reason."""
    analyser, _, label = str(value or "").partition(".")
    if analyser in VIEWPOINT_ANALYSERS:
        raise ViewpointRule(f"{where} references {analyser!r}: {VIEWPOINT_ANALYSERS[analyser]}", source=source)
    if analyser in DISPLAY_ONLY:
        raise ViewpointRule(f"{where} references {analyser!r}: {DISPLAY_ONLY[analyser]}", source=source)
    if label not in CONDUCT_LABELS.get(analyser, ()):
        known = ", ".join(f"{a}.{x}" for a, labels in CONDUCT_LABELS.items() for x in labels)
        raise InvalidPolicy(f"{where}: unknown label {value!r}", source=source, fix=f"use one of {known}")
    return analyser, label


def _score(value: Any, where: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidPolicy(f"{where} must be a number in [0, 1], got {value!r}", source=source)
    return float(value)


def _word_lists(raw: dict[str, Any], source: str, base: Path) -> dict[str, dict[str, list[str]]]:
    """``[words.LANG]`` tables with ``banned``/``suspect`` lists and optional ``*_files`` (one entry a line)."""
    lists: dict[str, dict[str, list[str]]] = {}
    for language, table in raw.items():
        _only_keys(table, {"banned", "suspect", "banned_files", "suspect_files"}, f"[words.{language}]", source)
        for kind in ("banned", "suspect"):
            entries = [str(e) for e in table.get(kind, [])]
            for name in table.get(f"{kind}_files", []):
                entries += _read_list(base / name, source)
            lists.setdefault(language, {})[kind] = entries
    return lists


def _read_list(path: Path, source: str) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InvalidPolicy(f"cannot read word list {path}: {error}", source=source) from error
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _history(raw: dict[str, Any], source: str) -> HistoryRule:
    _only_keys(raw, {"window_days", "min_decisions", "max_rejection_rate", "action"}, "[history]", source)
    return HistoryRule(int(raw.get("window_days", 30)), int(raw.get("min_decisions", 3)),
                       float(raw.get("max_rejection_rate", 0.5)), _action(raw.get("action", "review"), "[history]",
                                                                          source))


def _action(value: Any, where: str, source: str, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in ACTIONS:
        raise InvalidPolicy(f"{where}: action must be one of {', '.join(ACTIONS)}, got {value!r}", source=source)
    return value


def _only_keys(table: dict[str, Any], allowed: set[str], where: str, source: str) -> None:
    unknown = sorted(set(table) - allowed)
    for key in unknown:  # "stance", "article_side", "topic_filter"…: say why, not just "unknown key"
        concept = next((c for c in VIEWPOINT_ANALYSERS if c in key.lower()), None)
        if concept:
            raise ViewpointRule(f"{where} conditions on {key!r}: {VIEWPOINT_ANALYSERS[concept]}", source=source)
    if unknown:
        raise InvalidPolicy(f"{where}: unknown keys {', '.join(unknown)}", source=source,
                            fix=f"valid keys: {', '.join(sorted(allowed))}")

"""Word lists compiled into one matcher: banned → reject, suspect → review.

Thousands of entries stay fast because matching is a set lookup per word n-gram, not a giant regular
expression. Both the entries and the comment go through the same evasion normalisation as the
toxicity model ("1d10t", "i d i o t", lookalike letters), and every match is mapped back to the words
the commenter actually wrote, so the match itself is the evidence span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from threadwise.analysers.normalise import normalise
from threadwise.model import Span

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
ANY_LANGUAGE = "any"


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.group() for w in _WORD.finditer(normalise(text).text))


@dataclass(frozen=True)
class WordMatch:
    kind: str  # "banned" or "suspect"
    entry: str  # the list entry that matched, as written in the list
    span: Span  # where, in the original comment text


class WordListMatcher:
    """Entries per (language, kind); ``match`` looks at the comment's language and at ``any``."""

    def __init__(self, lists: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        self._entries: dict[str, dict[tuple[str, ...], tuple[str, str]]] = {}
        self.longest = 1
        for language, kinds in lists.items():
            table = self._entries.setdefault(language, {})
            for kind, entries in kinds.items():
                for entry in entries:
                    key = _words(entry)
                    if key and table.get(key, ("", ""))[0] != "banned":  # banned wins over suspect
                        table[key] = (kind, entry)
                        self.longest = max(self.longest, len(key))

    def __len__(self) -> int:
        return sum(len(t) for t in self._entries.values())

    def match(self, text: str, language: str = "en") -> list[WordMatch]:
        """Every list entry found in ``text``, longest first at each position, without overlaps."""
        tables = [self._entries[k] for k in (language, ANY_LANGUAGE) if k in self._entries]
        if not tables or not text.strip():
            return []
        norm = normalise(text)
        tokens = list(_WORD.finditer(norm.text))
        found: list[WordMatch] = []
        at = 0
        while at < len(tokens):
            hit = self._longest_at(tokens, at, tables)
            if hit is None:
                at += 1
                continue
            size, (kind, entry) = hit
            start, end = norm.to_original(tokens[at].start(), tokens[at + size - 1].end())
            found.append(WordMatch(kind, entry, Span(start, end, f"words.{kind}")))
            at += size
        return found

    def _longest_at(
        self, tokens: list[re.Match[str]], at: int, tables: list[dict[tuple[str, ...], tuple[str, str]]]
    ) -> tuple[int, tuple[str, str]] | None:
        for size in range(min(self.longest, len(tokens) - at), 0, -1):
            key = tuple(t.group() for t in tokens[at : at + size])
            for table in tables:
                if key in table:
                    return size, table[key]
        return None

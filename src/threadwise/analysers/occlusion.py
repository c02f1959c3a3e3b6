"""Which words carried a score the model gave without pointing at any word (leave-one-word-out).

The word head of the conduct model marks the pieces it reads as toxic; sometimes it marks none while the comment
scores high ("no better than a Nazi collaborator … shut up": toxicity 0.82, no piece over 0.04). Then each word
is blanked in turn and the text read again: a word whose removal lowers the score by at least ``min_drop`` carried
it. That is the model's own account of its score, not a guess from a word list, and it is shown as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

WORD = re.compile(r"[\w'’*@$-]+")
MAX_WORDS = 120  # blank at most this many words (a long comment's first ones): each costs one more model pass
TOP = 3  # words named per score at most

Scores = Mapping[str, float]


def carried_by(
    text: str, base: Scores, labels: Sequence[str], read: Callable[[list[str]], list[Scores]], min_drop: float = 0.1
) -> dict[str, list[tuple[int, int, float]]]:
    """Per label, up to ``TOP`` words (start, end, drop) whose blanking lowers ``base[label]`` by ``min_drop``
    or more (the largest drops, in text order). One batch of reads serves every label."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)][:MAX_WORDS]
    if not words or not labels:
        return {}
    # Blanked with spaces, so the other words keep their offsets and the tokenizer reads them unchanged.
    readings = read([text[:a] + " " * (b - a) + text[b:] for a, b in words])
    out: dict[str, list[tuple[int, int, float]]] = {}
    for label in labels:
        drops = [(a, b, round(base[label] - r[label], 3)) for (a, b), r in zip(words, readings, strict=True)]
        kept = sorted((d for d in drops if d[2] >= min_drop), key=lambda d: (-d[2], d[0]))[:TOP]
        if kept:
            out[label] = sorted(kept)
    return out

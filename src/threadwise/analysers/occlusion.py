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
MAX_WORDS = 200  # words looked at (a long comment's first ones): about all the model reads (256 word-pieces)
WINDOW = 6  # a longer comment is first blanked six words at a time; only the windows that carry are read word by word
TOP = 3  # words named per score at most
TOP_WINDOWS = 2  # windows looked into per score

Scores = Mapping[str, float]
Read = Callable[[list[str]], list[Scores]]


def carried_by(
    text: str, base: Scores, labels: Sequence[str], read: Read, min_drop: float = 0.1
) -> dict[str, list[tuple[int, int, float]]]:
    """Per label, up to ``TOP`` words (start, end, drop) whose blanking lowers ``base[label]`` by ``min_drop``
    or more (the largest drops, in text order). One batch of reads serves every label.

    Cost: one model pass per word of a short comment; for a longer one, one per window of ``WINDOW`` words and
    one per word of the windows that carry (about 50 passes for 200 words instead of 200).
    """
    words = [(m.start(), m.end()) for m in WORD.finditer(text)][:MAX_WORDS]
    if not words or not labels:
        return {}
    if len(words) > 2 * WINDOW:
        words = _in_carrying_windows(text, words, base, labels, read, min_drop)
        if not words:
            return {}
    drops = _drops(text, words, base, labels, read)
    out: dict[str, list[tuple[int, int, float]]] = {}
    for label in labels:
        kept = sorted((d for d in drops[label] if d[2] >= min_drop), key=lambda d: (-d[2], d[0]))[:TOP]
        if kept:
            out[label] = sorted(kept)
    return out


def _in_carrying_windows(text: str, words: list[tuple[int, int]], base: Scores, labels: Sequence[str], read: Read,
                         min_drop: float) -> list[tuple[int, int]]:
    """The words of the windows whose blanking lowers some label's score by ``min_drop`` or more (the top
    ``TOP_WINDOWS`` per label)."""
    windows = [words[i:i + WINDOW] for i in range(0, len(words), WINDOW)]
    drops = _drops(text, [(w[0][0], w[-1][1]) for w in windows], base, labels, read)
    chosen: set[int] = set()
    for label in labels:
        ranked = sorted(range(len(windows)), key=lambda i: -drops[label][i][2])
        chosen.update(i for i in ranked[:TOP_WINDOWS] if drops[label][i][2] >= min_drop)
    return [word for i in sorted(chosen) for word in windows[i]]


def _drops(text: str, spans: list[tuple[int, int]], base: Scores, labels: Sequence[str],
           read: Read) -> dict[str, list[tuple[int, int, float]]]:
    # Blanked with spaces, so the other words keep their offsets and the tokenizer reads them unchanged.
    readings = read([text[:a] + " " * (b - a) + text[b:] for a, b in spans])
    return {label: [(a, b, round(base[label] - r[label], 3)) for (a, b), r in zip(spans, readings, strict=True)]
            for label in labels}  # fmt: skip

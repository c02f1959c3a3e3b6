"""Evasion normalisation for the toxicity models, with a map from every normalised character back
to the original text so that spans found on the normalised text land on the words the reader wrote.

What it undoes: zero-width and other format characters, compatibility forms (NFKC: fullwidth,
ligatures), combining marks (``ì`` → ``i``, "Zalgo" text), Cyrillic/Greek lookalikes inside Latin
words ("idiot" spelt with Cyrillic i, U+0456) and Latin lookalikes inside Cyrillic words ("идиoт" with a
Latin o), leet digits and symbols inside words (``y0u 1d10t``, ``идu0т``),
s p a c e d or d.o.t.t.e.d letters, and letters repeated three times or more (``stuuupid``).
Text is lower-cased. The result is for the models only; it is never shown or stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Lookalikes, after lower-casing. A token mixing scripts takes the script of most of its letters; a token
# made only of lookalikes takes the script of most of the text's letters, so genuine Russian words spelt
# only with lookalike letters (the prepositions s, u; "sok", juice) stay Cyrillic in Russian text, while
# a Cyrillic-spelt "coc" in English text becomes Latin.
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l", "ɡ": "g",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "β": "b", "ω": "w", "ɑ": "a", "ı": "i",
}  # fmt: skip
# Latin → Cyrillic lookalikes, for Cyrillic words with Latin letters slipped in (Russian and Ukrainian).
TO_CYRILLIC = {
    "a": "а", "b": "в", "e": "е", "k": "к", "m": "м", "h": "н", "o": "о", "p": "р", "c": "с", "t": "т",
    "y": "у", "x": "х", "i": "і", "j": "ј", "s": "ѕ",
}  # fmt: skip
# Leet substitutions, applied only inside a token that also has a letter, so "500,000" stays a number.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t", "!": "i", "|": "l"}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
# Three or more single letters joined by one separator: "i d i o t", "f.u.c.k", "s-t-u-p-i-d".
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?![^\W\d_])")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = ".,;:?!\"'()[]"


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text; ``offsets[i]`` is the index in the original text of ``text[i]``."""

    text: str
    offsets: tuple[int, ...]
    original: str

    @property
    def changed(self) -> bool:
        """Whether anything beyond lower-casing was undone (an evasion, or decoration)."""
        return self.text != self.original.lower()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` to a span of the original text (never outside it)."""
        if not self.offsets or start >= end:
            at = self.offsets[min(start, len(self.offsets) - 1)] if self.offsets else 0
            return at, at
        start = max(0, min(start, len(self.offsets) - 1))
        end = max(start + 1, min(end, len(self.offsets)))
        return self.offsets[start], min(len(self.original), self.offsets[end - 1] + 1)


def normalise(text: str, limit: int | None = None) -> Normalised:
    """Normalise ``text`` (its first ``limit`` characters when given) for the toxicity models."""
    original = text if limit is None else text[:limit]
    return _normalise_cached(original) if len(original) <= CACHED_CHARS else _normalise(original)


# One comment is normalised by several readers in one request (the toxicity model, the word lists): the
# result (immutable) is kept for the latest comments, short ones only, so a long text is never held twice.
CACHED_CHARS = 5000


@lru_cache(maxsize=512)
def _normalise_cached(original: str) -> Normalised:
    return _normalise(original)


def _normalise(original: str) -> Normalised:
    chars, offsets = _per_character(original)
    chars, offsets = _per_token(chars, offsets)
    chars, offsets = _join_spaced(chars, offsets)
    chars, offsets = _collapse_repeats(chars, offsets)
    return Normalised("".join(chars), tuple(offsets), original)


def _per_character(text: str) -> tuple[list[str], list[int]]:
    """Drop format characters and combining marks, apply NFKC, lower-case; each output keeps its source."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        if char in _ZERO_WIDTH or unicodedata.category(char) == "Cf":
            continue
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char).lower())
        for piece in folded:
            if unicodedata.combining(piece) or unicodedata.category(piece) in ("Mn", "Me"):
                continue
            chars.append(piece)
            offsets.append(index)
    return chars, offsets


def _per_token(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """Undo leet and lookalike letters inside whitespace-separated tokens (one char in, one char out)."""
    text = "".join(chars)
    out = list(chars)
    text_is_cyrillic = _cyrillic_count(text) > _latin_count(text)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if not any(c.isalpha() for c in token):
            continue
        core = token.strip(_EDGE_PUNCT)  # "idiot!" ends in punctuation, "sh!t" hides a letter
        lead = match.start() + len(token) - len(token.lstrip(_EDGE_PUNCT))
        if any(c in LEET for c in core) and any(c.isalpha() for c in core) and not _is_numberish(core):
            for i, c in enumerate(core, lead):
                out[i] = LEET.get(c, out[i])
        word = out[match.start() : match.end()]
        for i, c in enumerate(_one_script(word, text_is_cyrillic), match.start()):
            out[i] = c
    return out, offsets


def _one_script(word: list[str], text_is_cyrillic: bool) -> list[str]:
    """A token's lookalikes written in the token's own script (its majority, or the text's when it has none)."""
    latin, cyrillic = _latin_count(word), _cyrillic_count(word)
    to_latin = [HOMOGLYPHS.get(c, c) for c in word]
    if latin and cyrillic:
        # Only one side can be lookalikes of the other ("idiot" in Cyrillic with a Latin o: the o can be
        # Cyrillic, the Cyrillic i cannot be Latin): that side is the disguise. Otherwise the majority of
        # the letters decides, then the text's script.
        latin_can_be_cyrillic = all(c in TO_CYRILLIC for c in word if "a" <= c <= "z")
        cyrillic_can_be_latin = all(c in HOMOGLYPHS for c in word if _cyrillic_count(c))
        if latin_can_be_cyrillic != cyrillic_can_be_latin:
            cyrillic_word = latin_can_be_cyrillic
        else:
            cyrillic_word = cyrillic > latin or (cyrillic == latin and text_is_cyrillic)
        return [TO_CYRILLIC.get(c, c) for c in word] if cyrillic_word else to_latin
    if latin:
        return to_latin  # Greek lookalikes among Latin letters
    only_lookalikes = all(c in HOMOGLYPHS for c in word if c.isalpha())
    if only_lookalikes and not (cyrillic and text_is_cyrillic):
        return to_latin  # "coc" spelt with Cyrillic letters inside English text
    return word


def _latin_count(chars: str | list[str]) -> int:
    return sum(1 for c in chars if "a" <= c <= "z")


def _cyrillic_count(chars: str | list[str]) -> int:
    return sum(1 for c in chars if "\u0400" <= c <= "\u04ff" or "\u0500" <= c <= "\u052f")


def _is_numberish(token: str) -> bool:
    """Tokens like "5th", "1990s", "$5m", "3pm" are numbers with a unit, not leet."""
    return bool(re.fullmatch(r"[$@]?\d[\d.,:]*(?:st|nd|rd|th|s|m|bn|k|pm|am|%)?", token))


def _join_spaced(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """ "i d i o t" → "idiot": drop the separators, keep each letter's source offset."""
    text = "".join(chars)
    drop: set[int] = set()
    for match in _SPACED.finditer(text):
        drop.update(range(match.start() + 1, match.end(), 2))
    if not drop:
        return chars, offsets
    keep = [i for i in range(len(chars)) if i not in drop]
    return [chars[i] for i in keep], [offsets[i] for i in keep]


def _collapse_repeats(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """A letter three or more times in a row becomes one ("stuuupid" → "stupid", "sooo" → "so")."""
    out_chars: list[str] = []
    out_offsets: list[int] = []
    run = 0
    for i, char in enumerate(chars):
        run = run + 1 if i and chars[i - 1] == char else 1
        if run >= 3 and char.isalpha():
            if run == 3:  # the run had two letters kept already: take the second one back out
                out_chars.pop()
                out_offsets.pop()
            continue
        out_chars.append(char)
        out_offsets.append(offsets[i])
    return out_chars, out_offsets


def latin_share(text: str) -> float:
    """Share of the letters in ``text`` that are basic Latin (after folding accents); 0 when no letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    latin = sum(1 for c in letters if "a" <= unicodedata.normalize("NFKD", c.lower())[:1] <= "z")
    return latin / len(letters)

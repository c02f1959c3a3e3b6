"""Hashed n-gram features, equal bit for bit to scikit-learn's ``HashingVectorizer`` and ``FeatureHasher`` (the
heads were trained with those), without importing scikit-learn at run time: its import pulls in SciPy's statistics
and cost the analysis pipeline about 65 MB of its peak memory and a second of its start, for one hash function.
That function is MurmurHash3 (x86, 32-bit, seed 0), taken from ``mmh3``; the analysers below are scikit-learn's
(1.9), restated. ``tests/test_hashing.py`` compares both on real comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import mmh3
import numpy as np
from scipy import sparse

WORD_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default token pattern
_WHITE_SPACES = re.compile(r"\s\s+")
_INT32_MIN = -(2**31)


def hash_features(rows: Iterable[Sequence[str]], n_features: int, binary: bool = False,
                  norm: str | None = None) -> sparse.csr_matrix:
    """One row per sequence of feature names, each name counting 1 in column |murmur3(name)| mod ``n_features``
    (``FeatureHasher(input_type="string", alternate_sign=False)``); ``binary`` sets every count to 1 and ``norm="l2"``
    scales each row to unit length, as ``HashingVectorizer`` does after hashing."""
    names: list[str] = []
    indptr = [0]
    for row in rows:
        names.extend(row)
        indptr.append(len(names))
    hashes = np.fromiter(map(mmh3.hash, names), dtype=np.int64, count=len(names))
    indices = np.where(hashes == _INT32_MIN, (2**31 - 1 - (n_features - 1)) % n_features, np.abs(hashes) % n_features)
    matrix = sparse.csr_matrix((np.ones(len(names)), indices.astype(np.int32), np.asarray(indptr, dtype=np.int32)),
                               shape=(len(indptr) - 1, n_features))
    matrix.sum_duplicates()  # also sorts each row's indices, as scikit-learn's does
    if binary:
        matrix.data.fill(1)
    if norm == "l2":
        lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        lengths[lengths == 0] = 1.0
        matrix.data /= np.repeat(lengths, np.diff(matrix.indptr))
    elif norm is not None:
        raise ValueError(f"norm {norm!r}: only 'l2' or None")
    return matrix


@dataclass(frozen=True)
class TextHasher:
    """``HashingVectorizer`` with ``alternate_sign=False`` for the two analysers the heads use: word n-grams over
    ``token_pattern`` matches, or ``char_wb`` (character n-grams inside each whitespace-separated word, padded with
    a space on each side)."""

    n_features: int
    analyzer: str = "word"
    ngram_range: tuple[int, int] = (1, 1)
    lowercase: bool = True
    token_pattern: str = WORD_PATTERN
    binary: bool = False
    norm: str | None = "l2"
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.analyzer not in ("word", "char_wb"):
            raise ValueError(f"analyzer {self.analyzer!r}: only 'word' or 'char_wb'")
        object.__setattr__(self, "_pattern", re.compile(self.token_pattern))

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        return hash_features((self.features(t) for t in texts), self.n_features, self.binary, self.norm)

    def features(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        if self.analyzer == "char_wb":
            return _char_wb_ngrams(text, *self.ngram_range)
        return _word_ngrams(self._pattern.findall(text), *self.ngram_range)


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if n >= len(padded):  # a short word counts once, whole, at the first size that covers it
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams

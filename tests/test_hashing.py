"""The run-time feature hashing equals scikit-learn's, bit for bit, for every setting an analyser uses: the heads
were trained on scikit-learn's features."""

from __future__ import annotations

import csv
import gzip
import itertools
import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer

from threadwise.analysers import claims, multilingual_toxicity, persuasion
from threadwise.analysers.hashing import TextHasher, hash_features
from threadwise.train import shared_data_dir

EDGE_CASES = ["", "   ", "a", "I", "x y", "Ça va?  Très\tbien\n\nmerci", "ÀÉÎ ß ǅ İ", "Это пропаганда!!!",
              "日本語のテキスト", "don't  stop—ever", "👍👍 lol", "a\u00a0b\u2009c", "word " * 40, "AAAA aaaa AaAa"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    path = shared_data_dir() / "toxic_spans_civil_comments" / "full_annotations" / "comments.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [row["comment_text"] for row in itertools.islice(csv.DictReader(handle), 1500)]
    return rows + EDGE_CASES


def assert_same(ours: sparse.spmatrix, theirs: sparse.spmatrix) -> None:
    ours, theirs = sparse.csr_matrix(ours), sparse.csr_matrix(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)  # exact, not close


SETTINGS = [  # (ours, scikit-learn's): each hasher an analyser uses
    (claims._HASHER, HashingVectorizer(n_features=2**14, ngram_range=(1, 2), alternate_sign=False, norm="l2",
                                       binary=True, lowercase=True)),
    (multilingual_toxicity._CHARS, HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=2**17,
                                                     alternate_sign=False, lowercase=False)),
    (multilingual_toxicity._WORDS, HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2**16,
                                                     alternate_sign=False, lowercase=False,
                                                     token_pattern=r"(?u)\b\w+\b")),
    (persuasion.SENTENCE_HASHER, HashingVectorizer(n_features=2**14, ngram_range=(1, 2), alternate_sign=False)),
    (persuasion.SPAN_WORD_HASHER, HashingVectorizer(n_features=2**13, ngram_range=(1, 2), alternate_sign=False)),
    (persuasion.SPAN_CHAR_HASHER, HashingVectorizer(n_features=2**13, analyzer="char_wb", ngram_range=(2, 4),
                                                      alternate_sign=False)),
]


@pytest.mark.parametrize(("ours", "theirs"), SETTINGS, ids=lambda s: getattr(s, "analyzer", ""))
def test_text_hashing_equals_scikit_learns(texts: list[str], ours: TextHasher, theirs: HashingVectorizer) -> None:
    assert_same(ours.transform(texts), theirs.transform(texts))


def test_other_ngram_ranges_and_options_equal_scikit_learns(texts: list[str]) -> None:
    for analyzer, low, high in (("word", 1, 1), ("word", 2, 3), ("char_wb", 1, 1), ("char_wb", 3, 6)):
        for binary, norm in ((False, None), (True, "l2")):
            ours = TextHasher(2**10, analyzer=analyzer, ngram_range=(low, high), binary=binary, norm=norm)
            theirs = HashingVectorizer(n_features=2**10, analyzer=analyzer, ngram_range=(low, high),
                                       alternate_sign=False, binary=binary, norm=norm)
            assert_same(ours.transform(texts[:300]), theirs.transform(texts[:300]))


def test_feature_hashing_equals_scikit_learns() -> None:
    rows = [persuasion.token_features(t, persuasion.token_spans(t, 0, len(t))) for t in EDGE_CASES[5:]]
    flat = [row for text_rows in rows for row in text_rows] + [[], ["a", "a", "b"]]
    for bits in (persuasion.TOKEN_BITS, persuasion.TC_CONTEXT_BITS, 3):
        theirs = FeatureHasher(n_features=2**bits, input_type="string", alternate_sign=False).transform(flat)
        assert_same(hash_features(flat, 2**bits), theirs)


def test_the_hashers_refuse_settings_they_do_not_implement() -> None:
    with pytest.raises(ValueError, match="analyzer 'char'"):
        TextHasher(8, analyzer="char")
    with pytest.raises(ValueError, match="norm 'l1'"):
        TextHasher(8, norm="l1").transform(["a b"])


def test_the_analysers_do_not_import_scikit_learn() -> None:
    """The point of the module: a pipeline process never loads scikit-learn (about 65 MB and a second)."""
    code = ("import sys; from threadwise.pipeline import Pipeline; Pipeline.from_names().setup(); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "False"

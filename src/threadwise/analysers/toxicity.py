"""Toxicity: an overall calibrated score, category scores and evidence spans on the reader's own words.

Three small heads (NumPy only, trained by ``threadwise.train.toxicity``):

* ``toxicity``: logistic regression over hashed character 2-5-grams and word 1-2-grams of the
  normalised text, a logistic regression over the MiniLM embedding, and a stacker that combines
  their logits into one calibrated probability (a second stacker serves when no embedding is given);
* ``toxicity_categories``: per category, P(category | toxic) over hashed word n-grams; the reported
  score is P(toxic) * P(category | toxic), since every category implies toxicity;
* ``toxicity_spans``: a per-token logistic regression (token, affixes, char n-grams, ±2-token window)
  that marks toxic words, and a multinomial one that types each marked word.

The models read the evasion-normalised text (``normalise.py``); spans map back to the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.heads import load_head
from threadwise.analysers.normalise import Normalised, latin_share, normalise
from threadwise.model import Finding, Span

CATEGORIES = ("insult", "identity_attack", "profanity", "threat", "severe_toxicity")
SPAN_TYPES = ("insult", "identity_attack", "profanity", "threat", "other")
TEXT_LIMIT = 5000  # characters the models read: long enough for any real comment, bounded for 100 KB ones
DOC_BITS = 17  # 2^17 character-n-gram + 2^17 word-n-gram hashed features
CATEGORY_BITS = 16
TOKEN_BITS = 18
_WORD = re.compile(r"\w+(?:['’]\w+)*")

# Stateless hashers: nothing learned lives here, so they are module constants, not analyser state.
_CHARS = HashingVectorizer(
    analyzer="char_wb", ngram_range=(2, 5), n_features=2**DOC_BITS, alternate_sign=False, lowercase=False
)
_WORDS = HashingVectorizer(
    analyzer="word", ngram_range=(1, 2), n_features=2**DOC_BITS, alternate_sign=False, lowercase=False,
    token_pattern=r"(?u)\b\w+\b",
)
_CATEGORY_WORDS = HashingVectorizer(
    analyzer="word", ngram_range=(1, 2), n_features=2**CATEGORY_BITS, alternate_sign=False, lowercase=False,
    token_pattern=r"(?u)\b\w+\b",
)
_TOKENS = HashingVectorizer(
    analyzer=lambda features: features, n_features=2**TOKEN_BITS, alternate_sign=False, norm="l2"
)


def doc_features(texts: Sequence[str]) -> sp.csr_matrix:
    """Comment-level hashed features of normalised texts: (n, 2^18) char + word n-grams, each block l2-normed."""
    return sp.hstack([_CHARS.transform(texts), _WORDS.transform(texts)]).tocsr()


def category_features(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed word 1-2-grams (2^16) of normalised texts, for the category heads."""
    return _CATEGORY_WORDS.transform(texts)


def word_tokens(text: str) -> list[tuple[int, int]]:
    """Word tokens of a normalised text as [start, end) offsets."""
    return [m.span() for m in _WORD.finditer(text)]


def token_features(norm: Normalised, tokens: Sequence[tuple[int, int]]) -> list[list[str]]:
    """Feature strings per token: the word, affixes, char 3-grams, neighbours within ±2, punctuation after,
    whether the original was in capitals and whether normalisation changed it."""
    words = [norm.text[a:b] for a, b in tokens]
    out = []
    for i, (start, end) in enumerate(tokens):
        word = words[i]
        lo, hi = norm.to_original(start, end)
        written = norm.original[lo:hi]
        feats = [f"w={word}", f"p={word[:3]}", f"s={word[-3:]}", f"len={min(len(word), 12)}"]
        padded = f"<{word}>"
        feats += [f"c={padded[j:j + 3]}" for j in range(len(padded) - 2)]
        for k in (-2, -1, 1, 2):
            j = i + k
            feats.append(f"n{k}={words[j] if 0 <= j < len(words) else '#'}")
        feats.append(f"b-={words[i - 1] if i else '#'}_{word}")
        feats.append(f"b+={word}_{words[i + 1] if i + 1 < len(words) else '#'}")
        feats.append(f"after={norm.text[end:end + 1]}")
        if written.isupper() and len(written) > 1:
            feats.append("caps")
        if written.lower() != word:
            feats.append("evaded")
        out.append(feats)
    return out


def token_matrix(norm: Normalised, tokens: Sequence[tuple[int, int]]) -> sp.csr_matrix:
    return _TOKENS.transform(token_features(norm, tokens))


def spans_from_tokens(
    norm: Normalised, tokens: Sequence[tuple[int, int]], positive: Sequence[bool], max_gap: int = 3
) -> list[tuple[int, int, list[int]]]:
    """Runs of positive tokens as original-text spans; neighbours closer than ``max_gap`` chars join one run."""
    runs: list[tuple[int, int, list[int]]] = []
    for i, ((start, end), hit) in enumerate(zip(tokens, positive, strict=True)):
        if not hit:
            continue
        lo, hi = norm.to_original(start, end)
        if runs and i - 1 in runs[-1][2] and lo - runs[-1][1] <= max_gap:
            runs[-1] = (runs[-1][0], hi, [*runs[-1][2], i])
        else:
            runs.append((lo, hi, [i]))
    return runs


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


class ToxicityAnalyser:
    """Scores every English-ish comment for toxicity; categories at or above ``report_threshold``."""

    name: ClassVar[str] = "toxicity"
    version: ClassVar[str] = "1.1.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("toxicity", *CATEGORIES, "language_unsupported")
    needs_embedding: ClassVar[bool] = True

    def __init__(self, report_threshold: float = 0.2, min_latin_share: float = 0.5, min_evidence: float = 0.2) -> None:
        self.report_threshold = report_threshold
        # The benchmark-tuned fallback points at the likeliest word even at p = 0.1; a moderator must not be
        # shown such a guess as evidence, so the fallback needs at least this token probability.
        self.min_evidence = min_evidence
        self.min_latin_share = min_latin_share

    def setup(self) -> Self:
        if getattr(self, "doc_", None) is None:
            doc, self.meta_ = load_head("toxicity")
            self.categories_, category_meta = load_head("toxicity_categories")
            self.spans_, span_meta = load_head("toxicity_spans")
            self.meta_ = {**self.meta_, "categories": category_meta, "spans": span_meta}
            self.doc_ = {k: v.astype(np.float32) for k, v in doc.items()}
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        self.setup()
        scored = [c for c in batch if c.text.strip()]  # empty or whitespace text: nothing to say
        supported = [c for c in scored if latin_share(c.text[:TEXT_LIMIT]) >= self.min_latin_share]
        findings: list[Finding] = []
        for context in scored:
            if all(context is not s for s in supported):
                share = latin_share(context.text[:TEXT_LIMIT])
                findings.append(finding(self, context, "language_unsupported", 1.0, detail={"latin_share": share}))
        if not supported:
            return findings
        norms = [normalise(c.text, TEXT_LIMIT) for c in supported]
        toxic = self._overall(norms, supported)
        categories = self._categories(norms, toxic)
        for context, norm, p_toxic, p_cats in zip(supported, norms, toxic, categories, strict=True):
            findings.extend(self._findings(context, norm, float(p_toxic), p_cats))
        return findings

    def score(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Overall toxicity probabilities for raw texts (for evaluation); embeddings optional."""
        self.setup()
        norms = [normalise(t, TEXT_LIMIT) for t in texts]
        return self._overall_scores(norms, embeddings)

    def category_scores(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> list[dict[str, float]]:
        """Per raw text, ``toxicity`` and every category score, also those below ``report_threshold``.

        ``analyse`` reports a category only at or above the threshold (moderators need no noise); a
        Perspective-style client asks for every attribute by name and expects a number for each. The
        same heads compute both, so a reported finding and its score here agree.
        """
        self.setup()
        if not texts:
            return []
        norms = [normalise(t, TEXT_LIMIT) for t in texts]
        toxic = self._overall_scores(norms, embeddings)
        categories = self._categories(norms, toxic)
        return [
            {"toxicity": float(p), **{label: float(s) for label, s in zip(CATEGORIES, row, strict=True)}}
            for p, row in zip(toxic, categories, strict=True)
        ]

    def _overall(self, norms: list[Normalised], contexts: Sequence[CommentContext]) -> np.ndarray:
        if all(c.embedding is not None for c in contexts):
            return self._overall_scores(norms, np.stack([np.asarray(c.embedding) for c in contexts]))
        return self._overall_scores(norms, None)

    def _overall_scores(self, norms: list[Normalised], embeddings: np.ndarray | None) -> np.ndarray:
        head = self.doc_
        z_text = doc_features([n.text for n in norms]) @ head["text_coef"] + head["text_intercept"][0]
        if embeddings is None:
            a, c = head["stack_text_only"]
            return _sigmoid(a * z_text + c)
        z_emb = np.asarray(embeddings, dtype=np.float32) @ head["emb_coef"] + head["emb_intercept"][0]
        a, b, c = head["stack"]
        return _sigmoid(a * z_text + b * z_emb + c)

    def _categories(self, norms: list[Normalised], toxic: np.ndarray) -> np.ndarray:
        """(n, 5) P(category) = P(toxic) * P(category | toxic)."""
        x = category_features([n.text for n in norms])
        coef = self.categories_["coef"].astype(np.float32)
        given_toxic = _sigmoid(np.asarray(x @ coef.T) + self.categories_["intercept"])
        return given_toxic * toxic[:, None]

    def _findings(self, context: CommentContext, norm: Normalised, p_toxic: float, p_cats: np.ndarray) -> list[Finding]:
        gate = float(self.meta_["span_gate"])
        spans = self._spans(norm) if p_toxic >= gate else []
        detail: dict[str, Any] = {
            "threshold_hint": float(self.meta_["threshold_hint"]),
            "normalised": norm.changed,
            "truncated": len(context.text) > TEXT_LIMIT,
        }
        out = [finding(self, context, "toxicity", p_toxic, spans=tuple(spans), detail=detail)]
        for label, score in zip(CATEGORIES, p_cats, strict=True):
            if score >= self.report_threshold:
                typed = tuple(s for s in spans if label == "severe_toxicity" or s.label == label)
                out.append(finding(self, context, label, float(score), spans=typed, detail=detail))
        return out

    def _spans(self, norm: Normalised) -> list[Span]:
        """Toxic words of one comment, typed, in original-text offsets."""
        tokens = word_tokens(norm.text)
        if not tokens:
            return []
        x = token_matrix(norm, tokens)
        p = _sigmoid(np.asarray(x @ self.spans_["coef"].astype(np.float32)) + self.spans_["intercept"][0])
        threshold = float(self.meta_["spans"]["threshold"])
        hits = p >= threshold
        fallback = max(float(self.meta_["spans"]["fallback_threshold"]), self.min_evidence)
        if not hits.any() and p.max() >= fallback:
            hits = p == p.max()  # a comment judged toxic still points at its most toxic word
        runs = spans_from_tokens(norm, tokens, hits.tolist())
        if not runs:
            return []
        # The type weights stay int8 (see train.toxicity_spans.quantise); one scale per type.
        type_logits = np.asarray(x @ self.spans_["type_coef"].T) * self.spans_["type_coef_scale"]
        type_logits = type_logits + self.spans_["type_intercept"]
        out = []
        for start, end, members in runs:
            kind = SPAN_TYPES[int(np.argmax(type_logits[members].mean(axis=0)))]
            out.append(Span(start, end, kind))
        return out


class TextOnlyToxicityAnalyser(ToxicityAnalyser):
    """The fast tier: the same heads without the MiniLM embedding (the text-only stack).

    Pre-moderation and Coral answer within a latency budget that one encoder pass on 2 cores would
    take by itself; the findings keep the name ``toxicity`` so policy rules match either tier, and the
    version says which tier produced them.
    """

    version: ClassVar[str] = f"{ToxicityAnalyser.version}+text"
    needs_embedding: ClassVar[bool] = False

    def _overall(self, norms: list[Normalised], contexts: Sequence[CommentContext]) -> np.ndarray:
        # Text only even when another analyser in the pipeline had the comment embedded: the version says so.
        return self._overall_scores(norms, None)

